import { Decimal } from 'decimal.js';
import type { ExchangeClients } from '../../exchange/clients.ts';
import type { BalanceLine } from '../../exchange/types.ts';
import type { EventBus } from '../events.ts';
import type { StreamSupervisor } from '../streams/supervisor.ts';

interface Entry {
  free: Map<string, Decimal>;
  /** A REST read lists every asset: one it does not list is 0. A stream event lists what changed. */
  complete: boolean;
  at: number;
}

/**
 * The followers' free balances, kept fresh by their streams' balance events and a poll, so the
 * fan-out usually sends without reading anything first. An entry is trusted when it is younger
 * than `maxAgeMs`, or when the account's stream has been live since it was taken (a live stream
 * reports every change, so its silence means nothing changed) — and never when a copy order
 * went out after it was taken. Otherwise the balance is read over REST, on that follower's path only.
 */
export class FollowerBalances {
  private readonly entries = new Map<string, Entry>();
  /** When the desk last changed an account's balance itself (a copy order). */
  private readonly changedAt = new Map<string, number>();

  constructor(
    private readonly deps: {
      exchanges: ExchangeClients;
      bus: EventBus;
      streams: StreamSupervisor;
      maxAgeMs: number;
      now?: () => number;
    },
  ) {}

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  listen(isFollower: (accountId: string) => boolean): () => void {
    return this.deps.bus.on('balance', (event) => {
      if (isFollower(event.accountId)) this.merge(event.accountId, event.balances, false);
    });
  }

  /** The account's free amount of `asset`, from the cache when it can be trusted, else over REST. */
  async free(accountId: string, asset: string): Promise<Decimal> {
    return this.trustedFree(accountId, asset) ?? this.read(await this.refresh(accountId), asset) ?? new Decimal(0);
  }

  /** The free amount when the cache can be trusted for it; undefined means "read it first". */
  trustedFree(accountId: string, asset: string): Decimal | undefined {
    const entry = this.entries.get(accountId);
    return entry && this.trusted(accountId, entry) ? this.read(entry, asset) : undefined;
  }

  /** Reads the account's balance over REST into the cache. */
  async refresh(accountId: string): Promise<Entry> {
    const exchange = await this.deps.exchanges.for(accountId);
    return this.merge(accountId, await exchange.fetchBalance(), true);
  }

  /** True when the next copy may use the cache (the poll refreshes the others). */
  isFresh(accountId: string): boolean {
    const entry = this.entries.get(accountId);
    return entry !== undefined && this.trusted(accountId, entry);
  }

  /** The desk just traded on this account: what the cache holds is out of date. */
  markChanged(accountId: string): void {
    this.changedAt.set(accountId, this.now());
  }

  /** The last known free amounts (for /followers), whatever their age. */
  snapshot(accountId: string, asset: string): Decimal | undefined {
    const entry = this.entries.get(accountId);
    return entry ? this.read(entry, asset) : undefined;
  }

  forget(accountId: string): void {
    this.entries.delete(accountId);
    this.changedAt.delete(accountId);
  }

  private trusted(accountId: string, entry: Entry): boolean {
    if (entry.at <= (this.changedAt.get(accountId) ?? -Infinity)) return false;
    if (this.now() - entry.at <= this.deps.maxAgeMs) return true;
    const stream = this.deps.streams.status(accountId);
    return stream?.health === 'live' && stream.since <= entry.at;
  }

  private read(entry: Entry, asset: string): Decimal | undefined {
    return entry.free.get(asset) ?? (entry.complete ? new Decimal(0) : undefined);
  }

  private merge(accountId: string, lines: BalanceLine[], complete: boolean): Entry {
    const previous = this.entries.get(accountId);
    const free = complete || !previous ? new Map<string, Decimal>() : new Map(previous.free);
    for (const line of lines) free.set(line.asset, line.free);
    const entry = { free, complete: complete || (previous?.complete ?? false), at: this.now() };
    this.entries.set(accountId, entry);
    return entry;
  }
}
