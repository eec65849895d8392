import type { EngineContext } from './context.ts';
import { Dec, dec, str, ZERO } from './decimal.ts';
import { levelPrice, marketDepth, MAX_SWEEP_LEVELS, type MarketDepth } from './depth.ts';
import type { EngineEvent } from './events.ts';
import { allSymbols, findMarket, futuresBook, type MarketBook, type MarketSpec } from './markets.ts';
import type { Side, Venue } from './types.ts';

/**
 * Public market data, venue-neutral: what any venue's ticker, order book, recent trades and
 * candles answer, computed from the engine's own state — the price per symbol, its depth model
 * (depth.ts) and the trades the engine executed. Venue modules (binance/market-routes.ts,
 * bitget/market-routes.ts, a Bitget futures `mix` module) only format these.
 *
 * The book every account trades against is the emulator's synthetic one: each engine trade is one
 * public trade (the other side is the book), and the book shows the depth model's levels, not the
 * accounts' resting orders (those never meet each other).
 */

/** One public trade, as any venue's recent-trades endpoint shows it (no account in it). */
export interface PublicTrade {
  readonly id: number;
  /** Internal: which order took or made it (aggregate trades group by it); never shown. */
  readonly orderId: number;
  readonly symbol: string;
  readonly price: string;
  readonly qty: string;
  readonly quoteQty: string;
  readonly time: number;
  /** Who took liquidity: the account's order when it was the taker, the book when the order rested. */
  readonly takerSide: Side;
  readonly isBuyerMaker: boolean;
}

/** One aggregate trade: consecutive trades grouped by a venue's rule, id = its first trade's id. */
export interface AggregateTrade {
  readonly id: number;
  readonly firstId: number;
  readonly lastId: number;
  readonly price: string;
  readonly qty: string;
  readonly time: number;
  readonly isBuyerMaker: boolean;
}

export interface TradeSelection {
  fromId?: number | undefined;
  /** Only trades with id below this (Bitget idLessThan). */
  beforeId?: number | undefined;
  startTime?: number | undefined;
  endTime?: number | undefined;
  limit: number;
}

/** One price level: price and what it holds, in base units. */
export type BookLevel = readonly [price: Dec, qty: Dec];

export interface BookSnapshot {
  /** Best first: highest bid first, lowest ask first. */
  readonly bids: BookLevel[];
  readonly asks: BookLevel[];
  /** Grows with every change of the symbol's book: a price move or a new depth setting (trades never use it up). */
  readonly updateId: number;
  readonly time: number;
}

export interface Ticker {
  readonly symbol: string;
  readonly open: Dec;
  readonly high: Dec;
  readonly low: Dec;
  readonly last: Dec;
  /** The price in force just before the window opened. */
  readonly prevClose: Dec;
  readonly lastQty: Dec;
  readonly volume: Dec;
  readonly quoteVolume: Dec;
  readonly openTime: number;
  readonly closeTime: number;
  readonly firstId: number;
  readonly lastId: number;
  readonly count: number;
}

export interface Candle {
  readonly openTime: number;
  /** The last millisecond of the interval. */
  readonly closeTime: number;
  readonly open: Dec;
  readonly high: Dec;
  readonly low: Dec;
  readonly close: Dec;
  readonly volume: Dec;
  readonly quoteVolume: Dec;
  readonly count: number;
  readonly takerBuyVolume: Dec;
  readonly takerBuyQuoteVolume: Dec;
}

/** How a venue cuts time into candles: `floor` gives the open of the interval holding t. */
export interface CandleInterval {
  floor(t: number): number;
  next(open: number): number;
}

const MINUTE = 60_000;
const DAY = 86_400_000;
/** 1970-01-05 was a Monday: weekly candles open on Mondays. */
const FIRST_MONDAY = 4 * DAY;

/** Fixed-length intervals from the epoch, shifted by `offsetMs` (Bitget's UTC+8 days are +8 h). */
export function fixedInterval(ms: number, offsetMs = 0): CandleInterval {
  return {
    floor: (t) => Math.floor((t + offsetMs) / ms) * ms - offsetMs,
    next: (open) => open + ms,
  };
}

export function weekInterval(offsetMs = 0): CandleInterval {
  const week = 7 * DAY;
  return {
    floor: (t) => Math.floor((t + offsetMs - FIRST_MONDAY) / week) * week + FIRST_MONDAY - offsetMs,
    next: (open) => open + week,
  };
}

export function monthInterval(offsetMs = 0): CandleInterval {
  const start = (t: number, add: number): number => {
    const d = new Date(t + offsetMs);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + add, 1) - offsetMs;
  };
  return { floor: (t) => start(t, 0), next: (open) => start(open, 1) };
}

/** A price bucket: the price path within one second or one minute (open = the price in force at its start). */
interface PriceBucket {
  readonly t: number;
  open: string;
  high: string;
  low: string;
  close: string;
}

/** How far back public data reaches: older trades and price moves are forgotten (memory stays bounded). */
export const MAX_TRADES_PER_SYMBOL = 50_000;
const MINUTE_BUCKETS_KEPT = 25 * 60;
const SECOND_BUCKETS_KEPT = 60 * 60;

/** A bounded, time-ordered list of price buckets of one width. */
class PriceSeries {
  readonly buckets: PriceBucket[] = [];

  constructor(
    private readonly width: number,
    private readonly kept: number,
  ) {}

  record(time: number, before: string, price: string): void {
    const t = Math.floor(time / this.width) * this.width;
    const last = this.buckets.at(-1);
    if (last && last.t >= t) {
      // Same bucket (or a clock that went back): the path goes on in the last bucket.
      if (dec(price).gt(last.high)) last.high = price;
      if (dec(price).lt(last.low)) last.low = price;
      last.close = price;
      return;
    }
    const [high, low] = dec(price).gt(before) ? [price, before] : [before, price];
    this.buckets.push({ t, open: before, high, low, close: price });
    if (this.buckets.length > this.kept + 100) this.buckets.splice(0, this.buckets.length - this.kept);
  }

  /** Index of the first bucket at or after `t`. */
  indexAt(t: number): number {
    let lo = 0;
    let hi = this.buckets.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.buckets[mid]?.t ?? Infinity) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

interface SymbolHistory {
  minutes: PriceSeries;
  seconds: PriceSeries;
  updateId: number;
  depthSignature: string;
}

function firstIndexAtTime(trades: readonly PublicTrade[], t: number): number {
  let lo = 0;
  let hi = trades.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((trades[mid]?.time ?? Infinity) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The book of an account's spot trades and of its futures trades on its venue. */
export function spotBookOf(venue: Venue): MarketBook {
  return venue === 'binance' ? 'binanceSpot' : 'bitgetSpot';
}

/** The futures book of a venue (Binance USDT-M, Bitget USDT-FUTURES): its accounts' `futuresOrder` trades. */
export function futuresBookOf(venue: Venue): MarketBook | undefined {
  return futuresBook(venue);
}

/** Taker side and buyer-is-maker of an engine trade: the book is the other side. */
function publicTrade(trade: {
  id: number;
  orderId: number;
  symbol: string;
  side: Side;
  price: string;
  qty: string;
  quoteQty: string;
  isMaker: boolean;
  time: number;
}): PublicTrade {
  const takerSide: Side = trade.isMaker ? (trade.side === 'BUY' ? 'SELL' : 'BUY') : trade.side;
  return {
    id: trade.id,
    orderId: trade.orderId,
    symbol: trade.symbol,
    price: trade.price,
    qty: trade.qty,
    quoteQty: trade.quoteQty,
    time: trade.time,
    takerSide,
    isBuyerMaker: takerSide === 'SELL',
  };
}

export class MarketData {
  private readonly trades = new Map<string, PublicTrade[]>();
  private readonly history = new Map<string, SymbolHistory>();
  private readonly listeners = new Set<(book: MarketBook, trade: PublicTrade) => void>();

  constructor(private readonly ctx: EngineContext) {
    ctx.events.subscribe((event) => this.onEvent(event));
    this.reindex();
  }

  /** Rebuilds from the state (after a load): every account's trades; price history starts now. */
  reindex(): void {
    this.trades.clear();
    this.history.clear();
    const now = this.ctx.now();
    for (const symbol of allSymbols()) {
      const price = this.ctx.state.prices[symbol];
      const h = this.historyOf(symbol);
      if (price !== undefined) {
        h.minutes.record(now, price, price);
        h.seconds.record(now, price, price);
      }
    }
    const byBook = new Map<MarketBook, PublicTrade[]>();
    const add = (book: MarketBook | undefined, trade: PublicTrade): void => {
      if (!book) return;
      let list = byBook.get(book);
      if (!list) byBook.set(book, (list = []));
      list.push(trade);
    };
    for (const account of Object.values(this.ctx.state.accounts)) {
      for (const t of account.spot.trades) add(spotBookOf(account.venue), publicTrade(t));
      for (const t of account.futures.trades) add(futuresBookOf(account.venue), publicTrade(t));
    }
    for (const [book, list] of byBook) {
      list.sort((a, b) => a.id - b.id);
      for (const trade of list) this.store(book, trade);
    }
  }

  /** Told of every public trade as it happens (WebSocket trade streams). */
  onTrade(listener: (book: MarketBook, trade: PublicTrade) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A trade of a book the engine does not map itself (see futuresBookOf). */
  recordTrade(book: MarketBook, trade: Parameters<typeof publicTrade>[0]): void {
    this.addTrade(book, publicTrade(trade));
  }

  private onEvent(event: EngineEvent): void {
    if (event.kind === 'price') {
      this.onPrice(event.symbol, event.price);
      return;
    }
    if ((event.kind !== 'spotOrder' && event.kind !== 'futuresOrder') || !event.trade) return;
    const account = this.ctx.findAccount(event.accountId);
    if (!account) return;
    const book = event.kind === 'spotOrder' ? spotBookOf(account.venue) : futuresBookOf(account.venue);
    if (book) this.addTrade(book, publicTrade(event.trade));
  }

  private onPrice(symbol: string, price: string): void {
    const h = this.historyOf(symbol);
    const now = this.ctx.now();
    const before = h.minutes.buckets.at(-1)?.close ?? price;
    h.minutes.record(now, before, price);
    h.seconds.record(now, h.seconds.buckets.at(-1)?.close ?? price, price);
    h.updateId++;
  }

  private addTrade(book: MarketBook, trade: PublicTrade): void {
    this.store(book, trade);
    for (const listener of this.listeners) listener(book, trade);
  }

  private store(book: MarketBook, trade: PublicTrade): void {
    const key = `${book}:${trade.symbol}`;
    let list = this.trades.get(key);
    if (!list) this.trades.set(key, (list = []));
    list.push(trade);
    if (list.length > MAX_TRADES_PER_SYMBOL + 1000) list.splice(0, list.length - MAX_TRADES_PER_SYMBOL);
  }

  private historyOf(symbol: string): SymbolHistory {
    let h = this.history.get(symbol);
    if (!h) {
      h = {
        minutes: new PriceSeries(MINUTE, MINUTE_BUCKETS_KEPT),
        seconds: new PriceSeries(1000, SECOND_BUCKETS_KEPT),
        // Update ids start at the clock so they keep growing across restarts.
        updateId: this.ctx.now(),
        depthSignature: '',
      };
      this.history.set(symbol, h);
    }
    return h;
  }

  private tradesOf(book: MarketBook, symbol: string): readonly PublicTrade[] {
    return this.trades.get(`${book}:${symbol}`) ?? [];
  }

  price(symbol: string): Dec {
    return this.ctx.price(symbol);
  }

  market(book: MarketBook, symbol: string): MarketSpec | undefined {
    return findMarket(book, symbol);
  }

  /**
   * The depth model as a book: level i at the current price ± i × step (asks up, bids down, on the
   * tick away from the taker), each holding the depth's qty — exactly the levels a market order
   * sweeps. An infinitely deep book shows every level (step = tick) holding the market's maxQty,
   * more than one order may take, so an order fills whole at the first level, as it does.
   */
  book(book: MarketBook, symbol: string, levels: number): BookSnapshot {
    const market = findMarket(book, symbol);
    if (!market) throw new Error(`emulator: ${symbol} is not a ${book} market`);
    const spec = this.ctx.depth(symbol);
    const h = this.historyOf(symbol);
    const signature = spec ? `${spec.qty}/${spec.step ?? ''}` : '';
    if (signature !== h.depthSignature) {
      h.depthSignature = signature;
      h.updateId++;
    }
    const depth: MarketDepth = marketDepth(spec, market) ?? {
      qty: dec(market.maxQty),
      step: dec(market.tickSize),
      tick: dec(market.tickSize),
    };
    const current = this.ctx.price(symbol);
    const count = Math.max(0, Math.min(levels, MAX_SWEEP_LEVELS));
    const asks: BookLevel[] = [];
    const bids: BookLevel[] = [];
    for (let i = 0; i < count; i++) {
      asks.push([levelPrice(depth, 'BUY', current, i), depth.qty]);
      const bid = levelPrice(depth, 'SELL', current, i);
      if (bid.gt(0)) bids.push([bid, depth.qty]);
    }
    return { bids, asks, updateId: h.updateId, time: this.ctx.now() };
  }

  /** Recent trades, oldest first: from `fromId` on, or the latest `limit` (Binance's rules). */
  recentTrades(book: MarketBook, symbol: string, query: TradeSelection): PublicTrade[] {
    const all = this.tradesOf(book, symbol);
    const from = query.startTime === undefined ? 0 : firstIndexAtTime(all, query.startTime);
    const matching = all
      .slice(from)
      .filter(
        (t) =>
          (query.fromId === undefined || t.id >= query.fromId) &&
          (query.beforeId === undefined || t.id < query.beforeId) &&
          (query.endTime === undefined || t.time <= query.endTime),
      );
    const fromStart = query.fromId !== undefined || query.startTime !== undefined;
    return fromStart ? matching.slice(0, query.limit) : matching.slice(-query.limit);
  }

  /**
   * Aggregate trades, oldest first: consecutive trades that `together` says belong to one are one
   * (Binance spot: same taker order, price and time; USDT-M: same price and taker side within
   * 100 ms). `fromId` is an aggregate id (its first trade's id).
   */
  aggregateTrades(
    book: MarketBook,
    symbol: string,
    query: TradeSelection,
    together: (first: PublicTrade, next: PublicTrade) => boolean,
  ): AggregateTrade[] {
    const all = this.tradesOf(book, symbol);
    const groups: AggregateTrade[] = [];
    let group: PublicTrade[] = [];
    const flush = (): void => {
      const first = group[0];
      const last = group.at(-1);
      if (!first || !last) return;
      groups.push({
        id: first.id,
        firstId: first.id,
        lastId: last.id,
        price: first.price,
        qty: str(group.reduce((sum, t) => sum.add(t.qty), ZERO)),
        time: first.time,
        isBuyerMaker: first.isBuyerMaker,
      });
      group = [];
    };
    for (const trade of all) {
      const first = group[0];
      if (first && !together(first, trade)) flush();
      group.push(trade);
    }
    flush();
    const matching = groups.filter(
      (a) =>
        (query.fromId === undefined || a.id >= query.fromId) &&
        (query.startTime === undefined || a.time >= query.startTime) &&
        (query.endTime === undefined || a.time <= query.endTime),
    );
    const fromStart = query.fromId !== undefined || query.startTime !== undefined;
    return fromStart ? matching.slice(0, query.limit) : matching.slice(-query.limit);
  }

  /**
   * The rolling window statistics (default 24 h), on whole minutes as Binance's rolling tickers
   * are: the window opens at the minute `windowMs` before now. `last` is the emulator's price (its
   * last price by definition); high and low span the price path and every trade in the window.
   */
  ticker(book: MarketBook, symbol: string, windowMs = DAY): Ticker {
    const now = this.ctx.now();
    const last = this.ctx.price(symbol);
    const openTime = Math.floor((now - windowMs) / MINUTE) * MINUTE;
    const series = this.historyOf(symbol).minutes;
    const from = series.indexAt(openTime);
    const inWindow = series.buckets.slice(from);
    const trades = this.tradesOf(book, symbol);
    const windowTrades = trades.slice(firstIndexAtTime(trades, openTime));
    const before = series.buckets[from - 1]?.close;
    const open = dec(before ?? inWindow[0]?.open ?? windowTrades[0]?.price ?? last);
    let high = Dec.max(open, last);
    let low = Dec.min(open, last);
    for (const b of inWindow) {
      high = Dec.max(high, b.high);
      low = Dec.min(low, b.low);
    }
    let volume = ZERO;
    let quoteVolume = ZERO;
    for (const t of windowTrades) {
      high = Dec.max(high, t.price);
      low = Dec.min(low, t.price);
      volume = volume.add(t.qty);
      quoteVolume = quoteVolume.add(t.quoteQty);
    }
    const first = windowTrades[0];
    const latest = windowTrades.at(-1);
    return {
      symbol,
      open,
      high,
      low,
      last,
      prevClose: dec(before ?? open),
      lastQty: dec(latest?.qty ?? '0'),
      volume,
      quoteVolume,
      openTime,
      closeTime: now,
      firstId: first?.id ?? -1,
      lastId: latest?.id ?? -1,
      count: windowTrades.length,
    };
  }

  /**
   * Candles of `interval`, oldest first: with `startTime`, the first `limit` from there; without,
   * the latest `limit` up to `endTime` (default now). Open is the price in force when the
   * interval began, close the price at its end (the current price for the running one), high and
   * low span the price path and the trades; volumes are the trades'. Intervals before anything
   * is known (the emulator's start, the oldest kept trade) are not shown. 1 s candles reach one
   * hour back, longer ones 25 hours for prices (older ones: from trades alone).
   */
  candles(
    book: MarketBook,
    symbol: string,
    interval: CandleInterval,
    query: { startTime?: number | undefined; endTime?: number | undefined; limit: number },
    oneSecond = false,
  ): Candle[] {
    const now = this.ctx.now();
    const h = this.historyOf(symbol);
    const series = oneSecond ? h.seconds : h.minutes;
    const trades = this.tradesOf(book, symbol);
    const firstKnown = Math.min(series.buckets[0]?.t ?? now, trades[0]?.time ?? now);
    const lastOpen = interval.floor(Math.min(query.endTime ?? now, now));
    const earliest = interval.floor(firstKnown);
    const opens: number[] = [];
    if (query.startTime !== undefined) {
      for (let t = Math.max(interval.floor(query.startTime), earliest); t <= lastOpen; t = interval.next(t)) {
        if (opens.length >= query.limit) break;
        opens.push(t);
      }
    } else {
      for (let t = lastOpen; t >= earliest && opens.length < query.limit; t = interval.floor(t - 1)) opens.push(t);
      opens.reverse();
    }
    const candles: Candle[] = [];
    for (const openTime of opens) {
      const end = interval.next(openTime);
      const from = series.indexAt(openTime);
      const buckets = series.buckets.slice(from, series.indexAt(end));
      const startIndex = firstIndexAtTime(trades, openTime);
      const candleTrades = trades.slice(startIndex, firstIndexAtTime(trades, end));
      const carry = series.buckets[from - 1]?.close ?? trades[startIndex - 1]?.price;
      const openText = carry ?? buckets[0]?.open ?? candleTrades[0]?.price;
      if (openText === undefined) continue;
      const open = dec(openText);
      let high = open;
      let low = open;
      for (const b of buckets) {
        high = Dec.max(high, b.high);
        low = Dec.min(low, b.low);
      }
      let volume = ZERO;
      let quoteVolume = ZERO;
      let takerBuyVolume = ZERO;
      let takerBuyQuoteVolume = ZERO;
      for (const t of candleTrades) {
        high = Dec.max(high, t.price);
        low = Dec.min(low, t.price);
        volume = volume.add(t.qty);
        quoteVolume = quoteVolume.add(t.quoteQty);
        if (t.takerSide === 'BUY') {
          takerBuyVolume = takerBuyVolume.add(t.qty);
          takerBuyQuoteVolume = takerBuyQuoteVolume.add(t.quoteQty);
        }
      }
      const closeText = buckets.at(-1)?.close ?? carry ?? candleTrades.at(-1)?.price ?? openText;
      candles.push({
        openTime,
        closeTime: end - 1,
        open,
        high,
        low,
        close: dec(closeText),
        volume,
        quoteVolume,
        count: candleTrades.length,
        takerBuyVolume,
        takerBuyQuoteVolume,
      });
    }
    return candles;
  }
}
