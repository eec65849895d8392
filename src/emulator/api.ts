import type { RateLimitOptions } from './binance/rate-limit.ts';
import type { AccountSpec, KeySpec } from './engine/accounts.ts';
import type { FuturesBalanceView, PositionView } from './engine/engine.ts';
import type { RandomWalkOptions } from './engine/price-driver.ts';
import type { Balance, DepthSpec, KeyPermissions } from './engine/types.ts';
import type { Fault } from './faults.ts';
import type { RequestLogEntry } from './server.ts';

export type {
  AccountSpec,
  Balance,
  DepthSpec,
  Fault,
  FuturesBalanceView,
  KeyPermissions,
  KeySpec,
  PositionView,
  RandomWalkOptions,
  RateLimitOptions,
  RequestLogEntry,
};

export interface EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1; the control surface answers loopback callers only, whatever the host. */
  host?: string;
  /**
   * Durable JSON persistence of accounts, orders, trades, positions, prices: a snapshot here and a
   * write-ahead log beside it (`<stateFile>.wal`); every answer waits until what it reports is
   * synced to disk. Absent = in memory.
   */
  stateFile?: string;
  /** Fold the write-ahead log into the snapshot once it is this long (default 4 MiB, and never before it is as long as the snapshot). */
  compactAfterBytes?: number;
  /**
   * false: the state file keeps no API key, secret, passphrase or listen key — credentials live
   * in memory only, and the owner gives them again with `createAccount` after every start (an
   * account loaded from the file keeps its balances, orders and positions, and answers no key
   * until then). Default true: the standalone emulator keeps its accounts usable across restarts.
   */
  persistCredentials?: boolean;
  /** The exchange clock (timestamps, recvWindow, listenKey expiry, rate-limit windows). */
  now?: () => number;
  /** Binance request-weight and order-count limits; lower them to provoke 429/418 in tests. */
  rateLimits?: RateLimitOptions;
}

export interface EmulatorBalances {
  spot: Record<string, Balance>;
  futures: Record<string, FuturesBalanceView>;
}

export interface Emulator {
  /** e.g. http://127.0.0.1:40123 — Binance at /api/v3, /fapi/v1..v3, /sapi/v1; Bitget at /api/v2. */
  readonly httpUrl: string;
  /** e.g. ws://127.0.0.1:40123 — /ws-api/v3, /private/ws?listenKey=, /v2/ws/private. */
  readonly wsUrl: string;
  /** Idempotent by id: an existing account keeps its state (credentials are refreshed) unless `reset`. */
  createAccount(spec: AccountSpec): void;
  hasAccount(id: string): boolean;
  /** The account an API key belongs to (any of its keys), if any. */
  keyOwner(apiKey: string): string | undefined;
  /** Every key of the account, its first key first, with what each may do (no secrets). */
  keys(accountId: string): { apiKey: string; permissions: KeyPermissions }[];
  /** A further key for an existing account (as an exchange lets one make a new key before deleting the old). */
  addKey(accountId: string, key: KeySpec): void;
  /** Deletes one key of the account; its last key cannot be deleted. */
  removeKey(accountId: string, apiKey: string): void;
  /** Changes what one key may do (default: the account's first key); returns what it may do now. */
  setKeyPermissions(accountId: string, permissions: Partial<KeyPermissions>, apiKey?: string): KeyPermissions;
  accounts(): { id: string; exchange: 'binance' | 'bitget' }[];
  /** Moves the price; resting limit orders and conditional orders it crosses execute. */
  setPrice(symbol: string, price: string): void;
  price(symbol: string): string;
  prices(): Record<string, string>;
  /**
   * Limits the book of `symbol` (both venues) to `qty` per price level, levels `step` apart
   * (default: each market's tick): resting orders fill at most `qty` per crossing price move,
   * market and crossing limit orders walk the levels. Returns the depth as stored.
   */
  setDepth(symbol: string, depth: DepthSpec): DepthSpec;
  /** Back to an infinitely deep book for `symbol`, or for every symbol. */
  clearDepth(symbol?: string): void;
  /** Every symbol with limited depth. */
  depth(): Record<string, DepthSpec>;
  startRandomWalk(opts?: RandomWalkOptions): void;
  stopRandomWalk(): void;
  playPath(symbol: string, prices: string[], intervalMs: number): Promise<void>;
  balances(accountId: string): EmulatorBalances;
  positions(accountId: string): PositionView[];
  fault(accountId: string, fault: Fault): void;
  clearFaults(accountId?: string): void;
  /** The server closes the account's WebSocket connections. */
  dropStreams(accountId: string): void;
  /** Sockets stay open (and answer pings) but deliver no events while silent. */
  silenceStreams(accountId: string, silent: boolean): void;
  /** Open private sockets currently bound to the account (subscribed, logged in or on its listenKey). */
  connectedStreams(accountId: string): number;
  /** Ends the account's listenKeys now, with a `listenKeyExpired` event on their sockets. */
  expireListenKeys(accountId: string): void;
  /** Requests served so far per "METHOD /path" (control calls included). */
  requests(): Record<string, number>;
  /** The latest requests (up to 10 000) in arrival order: wall-clock time, method, path, answered status. */
  requestLog(): RequestLogEntry[];
  resetRequests(): void;
  /** Writes a fresh snapshot now and empties the log (every change is durable before it is answered anyway). */
  flush(): void;
  stop(): Promise<void>;
}
