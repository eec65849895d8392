import type { EngineContext } from './context.ts';
import { dec, str, type Dec } from './decimal.ts';
import type { Account, Balance, Venue } from './types.ts';

export interface AccountSpec {
  id: string;
  exchange: Venue;
  apiKey: string;
  secret: string;
  passphrase?: string;
  spot?: Record<string, string>;
  futures?: Record<string, string>;
  canTrade?: boolean;
  /** Bitget: the key is a demo-trading key (requests must carry `paptrading: 1`). */
  demo?: boolean;
  /** Binance USDT-M: start in hedge (dual-side) position mode. Binance's default is one-way. */
  hedgeMode?: boolean;
  /** Drop any existing state of this account and start again from this spec. */
  reset?: boolean;
}

function freshAccount(spec: AccountSpec, now: number): Account {
  const balances: Record<string, Balance> = {};
  for (const [asset, amount] of Object.entries(spec.spot ?? {})) balances[asset] = { free: str(amount), locked: '0' };
  const wallet: Record<string, string> = {};
  for (const [asset, amount] of Object.entries(spec.futures ?? {})) wallet[asset] = str(amount);
  return {
    id: spec.id,
    venue: spec.exchange,
    apiKey: spec.apiKey,
    secret: spec.secret,
    ...(spec.passphrase === undefined ? {} : { passphrase: spec.passphrase }),
    canTrade: spec.canTrade ?? true,
    demo: spec.demo ?? false,
    createdAt: now,
    spot: { balances, orders: {}, clientOrderIds: {}, trades: [] },
    futures: {
      wallet,
      walletUpdatedAt: now,
      hedgeMode: spec.hedgeMode ?? false,
      leverage: {},
      positions: {},
      orders: {},
      clientOrderIds: {},
      trades: [],
      algoOrders: {},
      clientAlgoIds: {},
    },
  };
}

/**
 * Creates the account, or refreshes the credentials of an existing one while keeping its
 * balances, orders and positions (so a paper-mode restart does not wipe the demo accounts).
 */
export function upsertAccount(ctx: EngineContext, spec: AccountSpec): Account {
  const owner = ctx.accountByApiKey(spec.apiKey);
  if (owner && owner.id !== spec.id) {
    throw new Error(`emulator: API key of account "${spec.id}" is already used by account "${owner.id}"`);
  }
  const existing = ctx.findAccount(spec.id);
  if (existing && !spec.reset) {
    if (existing.venue !== spec.exchange) {
      throw new Error(`emulator: account "${spec.id}" exists on ${existing.venue}, not ${spec.exchange}`);
    }
    existing.apiKey = spec.apiKey;
    existing.secret = spec.secret;
    if (spec.passphrase !== undefined) existing.passphrase = spec.passphrase;
    if (spec.canTrade !== undefined) existing.canTrade = spec.canTrade;
    if (spec.demo !== undefined) existing.demo = spec.demo;
    ctx.reindex();
    ctx.changed();
    return existing;
  }
  const account = freshAccount(spec, ctx.now());
  ctx.state.accounts[spec.id] = account;
  ctx.reindex();
  ctx.changed();
  return account;
}

export function spotBalance(account: Account, asset: string): Balance {
  let balance = account.spot.balances[asset];
  if (!balance) {
    balance = { free: '0', locked: '0' };
    account.spot.balances[asset] = balance;
  }
  return balance;
}

export function freeOf(account: Account, asset: string): Dec {
  return dec(account.spot.balances[asset]?.free ?? '0');
}

export function addFree(account: Account, asset: string, delta: Dec): void {
  const balance = spotBalance(account, asset);
  balance.free = str(dec(balance.free).add(delta));
}

/** Moves `amount` from free to locked; the caller has checked that it is available. */
export function lock(account: Account, asset: string, amount: Dec): void {
  const balance = spotBalance(account, asset);
  balance.free = str(dec(balance.free).sub(amount));
  balance.locked = str(dec(balance.locked).add(amount));
}

/** Releases `amount` of locked funds: back to free, or spent when `spend` is set. */
export function unlock(account: Account, asset: string, amount: Dec, spend = false): void {
  const balance = spotBalance(account, asset);
  balance.locked = str(dec(balance.locked).sub(amount));
  if (!spend) balance.free = str(dec(balance.free).add(amount));
}

export function walletOf(account: Account, asset: string): Dec {
  return dec(account.futures.wallet[asset] ?? '0');
}

export function addWallet(account: Account, asset: string, delta: Dec, now: number): void {
  account.futures.wallet[asset] = str(walletOf(account, asset).add(delta));
  account.futures.walletUpdatedAt = now;
}

/** A stable numeric user id derived from the account id (FNV-1a). */
export function numericUserId(accountId: string): number {
  let hash = 0x811c9dc5;
  for (const char of accountId) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return 100_000_000 + (hash % 900_000_000);
}
