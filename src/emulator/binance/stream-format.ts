import { dec, fixed, type Dec } from '../engine/decimal.ts';
import type { AggregateTrade, BookLevel, BookSnapshot, PublicTrade, Ticker } from '../engine/market-data.ts';
import { aggTradeJson, nextFundingTime, numbersOf, type BinanceBook } from './market-format.ts';

/**
 * Market stream payloads, spot (stream.binance.com) and USDT-M (fstream.binance.com), as the
 * WebSocket Market Streams pages document them. Every number is a string, as on Binance.
 */

const rows = (book: BinanceBook, symbol: string, levels: readonly BookLevel[]): [string, string][] => {
  const n = numbersOf(book, symbol);
  return levels.map(([price, qty]) => [n.price(price), n.qty(qty)]);
};

/** `<symbol>@aggTrade`: spot adds `M` (ignore), USDT-M has none. */
export function aggTradeEvent(
  book: BinanceBook,
  symbol: string,
  a: AggregateTrade,
  now: number,
): Record<string, unknown> {
  // The REST aggTrade row, behind the event's own fields (same key order as Binance's).
  return { e: 'aggTrade', E: now, s: symbol, ...aggTradeJson(book, symbol, a) };
}

/**
 * `<symbol>@trade`: spot `{e, E, s, t, p, q, T, m, M}`; USDT-M (on /public, what ccxt's watchTrades
 * opens; not on the USDT-M stream pages) `{e, E, T, s, t, p, q, m}`.
 */
export function tradeEvent(book: BinanceBook, t: PublicTrade, now: number): Record<string, unknown> {
  const n = numbersOf(book, t.symbol);
  const fill = { t: t.id, p: n.price(t.price), q: n.qty(t.qty) };
  if (book === 'binanceSpot')
    return { e: 'trade', E: now, s: t.symbol, ...fill, T: t.time, m: t.isBuyerMaker, M: true };
  return { e: 'trade', E: now, T: t.time, s: t.symbol, ...fill, m: t.isBuyerMaker };
}

/** `<symbol>@bookTicker`: spot `{u, s, b, B, a, A}`; USDT-M adds `e`, `E` and `T`. */
export function bookTickerEvent(book: BinanceBook, symbol: string, top: BookSnapshot): Record<string, unknown> {
  const n = numbersOf(book, symbol);
  const [bid, ask] = [top.bids[0], top.asks[0]];
  const quote = {
    s: symbol,
    b: n.price(bid?.[0] ?? dec(0)),
    B: n.qty(bid?.[1] ?? dec(0)),
    a: n.price(ask?.[0] ?? dec(0)),
    A: n.qty(ask?.[1] ?? dec(0)),
  };
  if (book === 'binanceSpot') return { u: top.updateId, ...quote };
  return { e: 'bookTicker', u: top.updateId, E: top.time, T: top.time, ...quote };
}

/**
 * `<symbol>@depth<levels>` (partial book): spot `{lastUpdateId, bids, asks}`; USDT-M a
 * `depthUpdate` with the top levels, `U`/`u` this update and `pu` the previous one.
 */
export function partialDepthEvent(
  book: BinanceBook,
  symbol: string,
  snapshot: BookSnapshot,
  previousUpdateId: number,
): Record<string, unknown> {
  if (book === 'binanceSpot')
    return {
      lastUpdateId: snapshot.updateId,
      bids: rows(book, symbol, snapshot.bids),
      asks: rows(book, symbol, snapshot.asks),
    };
  return {
    e: 'depthUpdate',
    E: snapshot.time,
    T: snapshot.time,
    s: symbol,
    U: Math.min(previousUpdateId + 1, snapshot.updateId),
    u: snapshot.updateId,
    pu: previousUpdateId,
    b: rows(book, symbol, snapshot.bids),
    a: rows(book, symbol, snapshot.asks),
  };
}

/** `<symbol>@depth` (diff): the levels that changed since `firstUpdateId - 1`, quantity 0 = gone. */
export function diffDepthEvent(
  book: BinanceBook,
  symbol: string,
  change: { firstUpdateId: number; finalUpdateId: number; previousFinal: number; time: number },
  bids: readonly BookLevel[],
  asks: readonly BookLevel[],
): Record<string, unknown> {
  return {
    e: 'depthUpdate',
    E: change.time,
    ...(book === 'binanceFutures' ? { T: change.time } : {}),
    s: symbol,
    U: change.firstUpdateId,
    u: change.finalUpdateId,
    ...(book === 'binanceFutures' ? { pu: change.previousFinal } : {}),
    b: rows(book, symbol, bids),
    a: rows(book, symbol, asks),
  };
}

/** USDT-M `<symbol>@markPrice[@1s]`: mark = index = settle price = the emulator's price, no funding. */
export function markPriceEvent(symbol: string, price: Dec, now: number): Record<string, unknown> {
  const mark = fixed(price, 8);
  return {
    e: 'markPriceUpdate',
    E: now,
    s: symbol,
    p: mark,
    i: mark,
    P: mark,
    r: '0.00000000',
    T: nextFundingTime(now),
  };
}

/** `<symbol>@ticker` (24hrTicker): spot adds `x` (the price before the window) and the best bid and ask. */
export function tickerEvent(book: BinanceBook, t: Ticker, top: BookSnapshot, now: number): Record<string, unknown> {
  const n = numbersOf(book, t.symbol);
  const change = t.last.sub(t.open);
  const [bid, ask] = [top.bids[0], top.asks[0]];
  return {
    e: '24hrTicker',
    E: now,
    s: t.symbol,
    p: n.price(change),
    P: t.open.isZero() ? '0.000' : change.div(t.open).mul(100).toFixed(3),
    w: n.price(t.volume.isZero() ? dec(0) : t.quoteVolume.div(t.volume)),
    ...(book === 'binanceSpot' ? { x: n.price(t.prevClose) } : {}),
    c: n.price(t.last),
    Q: n.qty(t.lastQty),
    ...(book === 'binanceSpot'
      ? {
          b: n.price(bid?.[0] ?? dec(0)),
          B: n.qty(bid?.[1] ?? dec(0)),
          a: n.price(ask?.[0] ?? dec(0)),
          A: n.qty(ask?.[1] ?? dec(0)),
        }
      : {}),
    o: n.price(t.open),
    h: n.price(t.high),
    l: n.price(t.low),
    v: n.qty(t.volume),
    q: n.quote(t.quoteVolume),
    O: t.openTime,
    C: t.closeTime,
    F: t.firstId,
    L: t.lastId,
    n: t.count,
  };
}

/** `<symbol>@miniTicker` (24hrMiniTicker): close, open, high, low, base and quote volume. */
export function miniTickerEvent(book: BinanceBook, t: Ticker, now: number): Record<string, unknown> {
  const n = numbersOf(book, t.symbol);
  return {
    e: '24hrMiniTicker',
    E: now,
    s: t.symbol,
    c: n.price(t.last),
    o: n.price(t.open),
    h: n.price(t.high),
    l: n.price(t.low),
    v: n.qty(t.volume),
    q: n.quote(t.quoteVolume),
  };
}
