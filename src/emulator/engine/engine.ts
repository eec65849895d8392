import { AlgoEngine } from './algo.ts';
import {
  addKey,
  keysOf,
  removeKey,
  setKeyPermissions,
  upsertAccount,
  type AccountSpec,
  type KeySpec,
} from './accounts.ts';
import { EngineContext } from './context.ts';
import { dec, parseDecimal, str } from './decimal.ts';
import { FuturesEngine } from './futures.ts';
import { futuresSummary, MARGIN_ASSET } from './futures-margin.ts';
import { MarketData } from './market-data.ts';
import { allSymbols } from './markets.ts';
import { SpotEngine } from './spot.ts';
import type { Account, ApiKey, Balance, DepthSpec, EngineState, KeyPermissions, PositionSide } from './types.ts';

export interface FuturesBalanceView {
  wallet: string;
  available: string;
  unrealizedPnl: string;
  marginBalance: string;
}

export interface PositionView {
  symbol: string;
  positionSide: PositionSide;
  positionAmt: string;
  entryPrice: string;
  markPrice: string;
  unrealizedPnl: string;
  realizedPnl: string;
}

/** The matching engine and its state: markets, accounts, prices. No HTTP, no sockets. */
export class Engine {
  readonly ctx: EngineContext;
  readonly spot: SpotEngine;
  readonly futures: FuturesEngine;
  readonly algo: AlgoEngine;
  /** Public market data (tickers, book, trades, candles) from this engine's prices and fills. */
  readonly market: MarketData;

  constructor(state: EngineState, now: () => number) {
    this.ctx = new EngineContext(state, now);
    this.spot = new SpotEngine(this.ctx);
    this.futures = new FuturesEngine(this.ctx);
    this.algo = new AlgoEngine(this.ctx, this.futures);
    this.market = new MarketData(this.ctx);
  }

  get state(): EngineState {
    return this.ctx.state;
  }

  createAccount(spec: AccountSpec): Account {
    return upsertAccount(this.ctx, spec);
  }

  hasAccount(id: string): boolean {
    return this.ctx.findAccount(id) !== undefined;
  }

  addKey(accountId: string, key: KeySpec): ApiKey {
    return addKey(this.ctx, accountId, key);
  }

  removeKey(accountId: string, apiKey: string): void {
    removeKey(this.ctx, accountId, apiKey);
  }

  setKeyPermissions(accountId: string, changes: Partial<KeyPermissions>, apiKey?: string): KeyPermissions {
    return setKeyPermissions(this.ctx, accountId, changes, apiKey);
  }

  keys(accountId: string): { apiKey: string; permissions: KeyPermissions }[] {
    return keysOf(this.ctx, accountId);
  }

  price(symbol: string): string {
    return str(this.ctx.price(symbol));
  }

  /** Moves the price and lets every resting limit order and conditional order that it crosses execute. */
  setPrice(symbol: string, price: string): void {
    if (!allSymbols().includes(symbol)) throw new Error(`emulator: unknown symbol ${symbol}`);
    const value = parseDecimal(price);
    if (!value || value.lte(0)) throw new Error(`emulator: bad price "${price}" for ${symbol}`);
    this.ctx.state.prices[symbol] = str(value);
    this.ctx.events.emit({ kind: 'price', symbol, price: str(value) });
    this.spot.onPrice(symbol, value);
    this.futures.onPrice(symbol, value);
    this.algo.onPrice(symbol, value);
    this.ctx.changed();
  }

  /** Limits the book of `symbol` to `qty` per level, levels `step` apart (default: each market's tick). */
  setDepth(symbol: string, spec: { qty: string; step?: string }): DepthSpec {
    if (!allSymbols().includes(symbol)) throw new Error(`emulator: unknown symbol ${symbol}`);
    const qty = parseDecimal(spec.qty);
    if (!qty || qty.lte(0)) throw new Error(`emulator: bad depth qty "${spec.qty}" for ${symbol}`);
    const step = spec.step === undefined ? undefined : parseDecimal(spec.step);
    if (spec.step !== undefined && (!step || step.lte(0)))
      throw new Error(`emulator: bad depth step "${spec.step}" for ${symbol}`);
    const depth: DepthSpec = { qty: str(qty), ...(step ? { step: str(step) } : {}) };
    this.ctx.state.depth = { ...this.ctx.state.depth, [symbol]: depth };
    this.ctx.changed();
    return { ...depth };
  }

  /** Back to infinite depth for `symbol`, or for every symbol. */
  clearDepth(symbol?: string): void {
    if (symbol !== undefined && !allSymbols().includes(symbol)) throw new Error(`emulator: unknown symbol ${symbol}`);
    const rest = Object.entries(this.ctx.state.depth ?? {}).filter(([s]) => symbol !== undefined && s !== symbol);
    if (rest.length > 0) this.ctx.state.depth = Object.fromEntries(rest);
    else delete this.ctx.state.depth;
    this.ctx.changed();
  }

  depth(): Record<string, DepthSpec> {
    const result: Record<string, DepthSpec> = {};
    for (const [symbol, spec] of Object.entries(this.ctx.state.depth ?? {})) result[symbol] = { ...spec };
    return result;
  }

  spotBalances(accountId: string): Record<string, Balance> {
    const result: Record<string, Balance> = {};
    for (const [asset, b] of Object.entries(this.ctx.account(accountId).spot.balances)) result[asset] = { ...b };
    return result;
  }

  futuresBalances(accountId: string): Record<string, FuturesBalanceView> {
    const account = this.ctx.account(accountId);
    const summary = futuresSummary(this.ctx, account);
    const result: Record<string, FuturesBalanceView> = {};
    for (const [asset, wallet] of Object.entries(account.futures.wallet)) {
      const isMargin = asset === MARGIN_ASSET;
      result[asset] = {
        wallet,
        available: isMargin ? str(summary.available) : wallet,
        unrealizedPnl: isMargin ? str(summary.unrealized) : '0',
        marginBalance: isMargin ? str(summary.marginBalance) : wallet,
      };
    }
    return result;
  }

  positions(accountId: string): PositionView[] {
    const summary = futuresSummary(this.ctx, this.ctx.account(accountId));
    return summary.positions
      .filter((m) => !dec(m.position.amount).isZero())
      .map((m) => ({
        symbol: m.position.symbol,
        positionSide: m.position.positionSide,
        positionAmt: m.position.amount,
        entryPrice: m.position.entryPrice,
        markPrice: str(m.markPrice),
        unrealizedPnl: str(m.unrealized),
        realizedPnl: m.position.realizedPnl,
      }));
  }

  /** Swaps in a loaded state (persistence) and rebuilds the in-memory indexes. */
  load(state: EngineState): void {
    this.ctx.replaceState(state);
    this.spot.reindex();
    this.futures.reindex();
    this.market.reindex();
  }
}
