import type { EngineContext } from './context.ts';
import { dec, str, type Dec } from './decimal.ts';
import {
  DEFAULT_KEY_PERMISSIONS,
  type Account,
  type ApiKey,
  type Balance,
  type KeyPermissions,
  type Venue,
} from './types.ts';

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
  /**
   * What the key may do; fields left out keep the key's current value (a new key: the defaults,
   * DEFAULT_KEY_PERMISSIONS — reads, trades spot and futures, cannot withdraw, IP-bound).
   */
  permissions?: Partial<KeyPermissions>;
}

/** A further key for an existing account. */
export interface KeySpec {
  apiKey: string;
  secret: string;
  passphrase?: string;
  permissions?: Partial<KeyPermissions>;
}

/** The permissions a key has: its own, or the defaults. */
export function permissionsOf(key: { permissions?: KeyPermissions | undefined }): KeyPermissions {
  return { ...DEFAULT_KEY_PERMISSIONS, ...key.permissions };
}

/**
 * `base` changed by `changes`. Binance only lets a key withdraw once it is IP-restricted ("You
 * must apply the IP Access Restriction filter in order to enable withdrawals", its API docs).
 */
function withPermissions(venue: Venue, base: KeyPermissions, changes: Partial<KeyPermissions> = {}): KeyPermissions {
  const next = { ...base };
  for (const [name, value] of Object.entries(changes) as [keyof KeyPermissions, boolean | undefined][]) {
    if (value !== undefined) next[name] = value;
  }
  if (venue === 'binance' && next.withdrawals && !next.ipRestrict) {
    throw new Error('emulator: a Binance key can only withdraw when it is IP-restricted (ipRestrict)');
  }
  return next;
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
    permissions: withPermissions(spec.exchange, DEFAULT_KEY_PERMISSIONS, spec.permissions),
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
 * balances, orders and positions (so a paper-mode restart does not wipe the demo accounts). A
 * different key replaces the first key (the old one stops working); if it was one of the
 * account's further keys, it becomes the first, with its permissions.
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
    let current = permissionsOf(existing);
    if (existing.apiKey !== spec.apiKey) {
      const promoted = existing.extraKeys?.find((key) => key.apiKey === spec.apiKey);
      current = promoted ? permissionsOf(promoted) : { ...DEFAULT_KEY_PERMISSIONS };
      removeExtra(existing, spec.apiKey);
    }
    existing.permissions = withPermissions(existing.venue, current, spec.permissions);
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

function removeExtra(account: Account, apiKey: string): void {
  const rest = (account.extraKeys ?? []).filter((key) => key.apiKey !== apiKey);
  if (rest.length > 0) account.extraKeys = rest;
  else delete account.extraKeys;
}

/** Gives an existing account a further key (a key it already has gets the new secret and permissions). */
export function addKey(ctx: EngineContext, accountId: string, spec: KeySpec): ApiKey {
  const account = ctx.account(accountId);
  const owner = ctx.accountByApiKey(spec.apiKey);
  if (owner && owner.id !== accountId) {
    throw new Error(`emulator: API key for account "${accountId}" is already used by account "${owner.id}"`);
  }
  if (account.apiKey === spec.apiKey) {
    upsertAccount(ctx, { id: accountId, exchange: account.venue, ...spec });
    const first = ctx.keyOf(spec.apiKey);
    if (!first) throw new Error(`emulator: key of account "${accountId}" not indexed`);
    return first;
  }
  const previous = account.extraKeys?.find((key) => key.apiKey === spec.apiKey);
  const key: ApiKey = {
    apiKey: spec.apiKey,
    secret: spec.secret,
    ...(spec.passphrase === undefined ? {} : { passphrase: spec.passphrase }),
    permissions: withPermissions(
      account.venue,
      previous ? permissionsOf(previous) : DEFAULT_KEY_PERMISSIONS,
      spec.permissions,
    ),
    createdAt: previous?.createdAt ?? ctx.now(),
  };
  account.extraKeys = [...(account.extraKeys ?? []).filter((k) => k.apiKey !== spec.apiKey), key];
  ctx.reindex();
  ctx.changed();
  return key;
}

/** Deletes one key of the account; deleting the first key makes the next one first. The last key stays. */
export function removeKey(ctx: EngineContext, accountId: string, apiKey: string): void {
  const account = ctx.account(accountId);
  if (account.apiKey === apiKey) {
    const [next] = account.extraKeys ?? [];
    if (!next) throw new Error(`emulator: "${apiKey.slice(-4)}" is the only key of account "${accountId}"`);
    removeExtra(account, next.apiKey);
    account.apiKey = next.apiKey;
    account.secret = next.secret;
    if (next.passphrase === undefined) delete account.passphrase;
    else account.passphrase = next.passphrase;
    account.permissions = permissionsOf(next);
  } else if (account.extraKeys?.some((key) => key.apiKey === apiKey)) {
    removeExtra(account, apiKey);
  } else {
    throw new Error(`emulator: account "${accountId}" has no key ending "${apiKey.slice(-4)}"`);
  }
  ctx.reindex();
  ctx.changed();
}

/** Changes what one key of the account may do (default: its first key); returns the key's permissions. */
export function setKeyPermissions(
  ctx: EngineContext,
  accountId: string,
  changes: Partial<KeyPermissions>,
  apiKey?: string,
): KeyPermissions {
  const account = ctx.account(accountId);
  if (apiKey === undefined || apiKey === account.apiKey) {
    account.permissions = withPermissions(account.venue, permissionsOf(account), changes);
    ctx.changed();
    return { ...account.permissions };
  }
  const key = account.extraKeys?.find((k) => k.apiKey === apiKey);
  if (!key) throw new Error(`emulator: account "${accountId}" has no key ending "${apiKey.slice(-4)}"`);
  key.permissions = withPermissions(account.venue, permissionsOf(key), changes);
  ctx.changed();
  return { ...key.permissions };
}

/** Every key of the account, first key first, with what it may do (no secrets). */
export function keysOf(ctx: EngineContext, accountId: string): { apiKey: string; permissions: KeyPermissions }[] {
  const account = ctx.account(accountId);
  return [
    { apiKey: account.apiKey, permissions: permissionsOf(account) },
    ...(account.extraKeys ?? []).map((key) => ({ apiKey: key.apiKey, permissions: permissionsOf(key) })),
  ];
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
