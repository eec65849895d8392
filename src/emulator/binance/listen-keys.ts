import { randomBytes } from 'node:crypto';
import type { EngineContext } from '../engine/context.ts';
import type { ListenKey } from '../engine/types.ts';
import { BinanceError } from './errors.ts';

export const LISTEN_KEY_TTL_MS = 60 * 60 * 1000;

/**
 * USDT-M listenKeys: one per account, valid 60 minutes from creation or the last keepalive.
 * Creating one while a key is active returns that key and extends it, as Binance does.
 */
export class ListenKeyStore {
  private readonly endListeners = new Set<(key: ListenKey, reason: 'expired' | 'deleted') => void>();

  constructor(private readonly ctx: EngineContext) {}

  /** Told when a key stops being valid, so its sockets can be told and closed. */
  onEnd(listener: (key: ListenKey, reason: 'expired' | 'deleted') => void): void {
    this.endListeners.add(listener);
  }

  private get keys(): Record<string, ListenKey> {
    return this.ctx.state.listenKeys;
  }

  private activeOf(accountId: string): ListenKey | undefined {
    this.sweep();
    return Object.values(this.keys).find((k) => k.accountId === accountId);
  }

  create(accountId: string): ListenKey {
    const active = this.activeOf(accountId);
    if (active) return this.extend(active);
    const key: ListenKey = {
      key: randomBytes(48).toString('base64url').replace(/[-_]/g, 'x').slice(0, 64),
      accountId,
      expiresAt: this.ctx.now() + LISTEN_KEY_TTL_MS,
    };
    this.keys[key.key] = key;
    this.ctx.changed();
    return key;
  }

  keepAlive(accountId: string): ListenKey {
    const active = this.activeOf(accountId);
    if (!active) throw new BinanceError(400, -1125, 'This listenKey does not exist.');
    return this.extend(active);
  }

  remove(accountId: string): ListenKey | undefined {
    const active = this.activeOf(accountId);
    if (active) this.drop(active, 'deleted');
    return active;
  }

  /** The key if it is still valid. */
  lookup(key: string): ListenKey | undefined {
    this.sweep();
    return this.keys[key];
  }

  /** Ends the account's keys now, as if 60 minutes had passed without a keepalive. */
  expire(accountId: string): void {
    for (const key of Object.values(this.keys)) if (key.accountId === accountId) this.drop(key, 'expired');
  }

  sweep(): void {
    const now = this.ctx.now();
    for (const key of Object.values(this.keys)) if (key.expiresAt <= now) this.drop(key, 'expired');
  }

  private extend(key: ListenKey): ListenKey {
    key.expiresAt = this.ctx.now() + LISTEN_KEY_TTL_MS;
    this.ctx.changed();
    return key;
  }

  private drop(key: ListenKey, reason: 'expired' | 'deleted'): void {
    Reflect.deleteProperty(this.keys, key.key);
    this.ctx.changed();
    for (const listener of this.endListeners) listener(key, reason);
  }
}
