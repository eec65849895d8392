import { dec, fixed, str, type Dec } from '../engine/decimal.ts';
import type { AggregateTrade, BookLevel, BookSnapshot, Candle, PublicTrade, Ticker } from '../engine/market-data.ts';
import type { MarketBook } from '../engine/markets.ts';
import { priceText, qtyText } from './futures-format.ts';

/** Binance's two markets print numbers differently: spot with 8 decimals, USDT-M at each market's precision. */
export type BinanceBook = Extract<MarketBook, 'binanceSpot' | 'binanceFutures'>;

export interface Numbers {
  price(value: Dec | string): string;
  qty(value: Dec | string): string;
  /** Quote amounts (quoteVolume, quoteQty). */
  quote(value: Dec | string): string;
}

export function numbersOf(book: BinanceBook, symbol: string): Numbers {
  if (book === 'binanceSpot') {
    const f8 = (value: Dec | string): string => fixed(value, 8);
    return { price: f8, qty: f8, quote: f8 };
  }
  return {
    price: (value) => priceText(symbol, str(value)),
    qty: (value) => qtyText(symbol, str(value)),
    quote: (value) => str(value),
  };
}

/** Spot: one taker order's trades at one price at one time; USDT-M: same price and taker side within 100 ms. */
export function aggregatesTogether(book: BinanceBook): (first: PublicTrade, next: PublicTrade) => boolean {
  if (book === 'binanceSpot')
    return (first, next) => first.orderId === next.orderId && first.price === next.price && first.time === next.time;
  return (first, next) =>
    first.price === next.price && first.takerSide === next.takerSide && next.time - first.time < 100;
}

const levelRows = (levels: readonly BookLevel[], n: Numbers): [string, string][] =>
  levels.map(([price, qty]) => [n.price(price), n.qty(qty)]);

/** 24 h change in percent with three decimals, as Binance prints it ("-95.960"). */
function percent(change: Dec, open: Dec): string {
  return open.isZero() ? '0.000' : change.div(open).mul(100).toFixed(3);
}

/** GET /api/v3/ticker/24hr (FULL or MINI) and GET /fapi/v1/ticker/24hr. */
export function ticker24hJson(
  book: BinanceBook,
  t: Ticker,
  top: BookSnapshot,
  type: 'FULL' | 'MINI' = 'FULL',
): Record<string, unknown> {
  const n = numbersOf(book, t.symbol);
  const counts = { openTime: t.openTime, closeTime: t.closeTime, firstId: t.firstId, lastId: t.lastId, count: t.count };
  const volumes = { volume: n.qty(t.volume), quoteVolume: n.quote(t.quoteVolume) };
  if (type === 'MINI') {
    return {
      symbol: t.symbol,
      openPrice: n.price(t.open),
      highPrice: n.price(t.high),
      lowPrice: n.price(t.low),
      lastPrice: n.price(t.last),
      ...volumes,
      ...counts,
    };
  }
  const change = t.last.sub(t.open);
  const vwap = t.volume.isZero() ? dec(0) : t.quoteVolume.div(t.volume);
  const head = {
    symbol: t.symbol,
    priceChange: n.price(change),
    priceChangePercent: percent(change, t.open),
    weightedAvgPrice: n.price(vwap),
  };
  if (book === 'binanceFutures') {
    return {
      ...head,
      lastPrice: n.price(t.last),
      lastQty: n.qty(t.lastQty),
      openPrice: n.price(t.open),
      highPrice: n.price(t.high),
      lowPrice: n.price(t.low),
      ...volumes,
      ...counts,
    };
  }
  const [bid, ask] = [top.bids[0], top.asks[0]];
  return {
    ...head,
    prevClosePrice: n.price(t.prevClose),
    lastPrice: n.price(t.last),
    lastQty: n.qty(t.lastQty),
    bidPrice: n.price(bid?.[0] ?? dec(0)),
    bidQty: n.qty(bid?.[1] ?? dec(0)),
    askPrice: n.price(ask?.[0] ?? dec(0)),
    askQty: n.qty(ask?.[1] ?? dec(0)),
    openPrice: n.price(t.open),
    highPrice: n.price(t.high),
    lowPrice: n.price(t.low),
    ...volumes,
    ...counts,
  };
}

/** GET /api/v3/ticker/bookTicker and /fapi/v1/ticker/bookTicker (USDT-M adds `time`). */
export function bookTickerJson(book: BinanceBook, symbol: string, top: BookSnapshot): Record<string, unknown> {
  const n = numbersOf(book, symbol);
  const [bid, ask] = [top.bids[0], top.asks[0]];
  return {
    symbol,
    bidPrice: n.price(bid?.[0] ?? dec(0)),
    bidQty: n.qty(bid?.[1] ?? dec(0)),
    askPrice: n.price(ask?.[0] ?? dec(0)),
    askQty: n.qty(ask?.[1] ?? dec(0)),
    ...(book === 'binanceFutures' ? { time: top.time } : {}),
  };
}

/** GET /api/v3/depth ({lastUpdateId, bids, asks}) and /fapi/v1/depth (adds E and T). */
export function depthJson(book: BinanceBook, symbol: string, snapshot: BookSnapshot): Record<string, unknown> {
  const n = numbersOf(book, symbol);
  return {
    lastUpdateId: snapshot.updateId,
    ...(book === 'binanceFutures' ? { E: snapshot.time, T: snapshot.time } : {}),
    bids: levelRows(snapshot.bids, n),
    asks: levelRows(snapshot.asks, n),
  };
}

/** GET /api/v3/trades and /fapi/v1/trades: public fields only. */
export function publicTradeJson(book: BinanceBook, t: PublicTrade): Record<string, unknown> {
  const n = numbersOf(book, t.symbol);
  return {
    id: t.id,
    price: n.price(t.price),
    qty: n.qty(t.qty),
    quoteQty: n.quote(t.quoteQty),
    time: t.time,
    isBuyerMaker: t.isBuyerMaker,
    ...(book === 'binanceSpot' ? { isBestMatch: true } : { isRPITrade: false }),
  };
}

/** GET /api/v3/aggTrades and /fapi/v1/aggTrades (spot adds `M`, "was the trade the best price match"). */
export function aggTradeJson(book: BinanceBook, symbol: string, a: AggregateTrade): Record<string, unknown> {
  const n = numbersOf(book, symbol);
  return {
    a: a.id,
    p: n.price(a.price),
    q: n.qty(a.qty),
    f: a.firstId,
    l: a.lastId,
    T: a.time,
    m: a.isBuyerMaker,
    ...(book === 'binanceSpot' ? { M: true } : {}),
  };
}

/** One row of GET /api/v3/klines and /fapi/v1/klines. */
export function klineRow(book: BinanceBook, symbol: string, c: Candle): unknown[] {
  const n = numbersOf(book, symbol);
  return [
    c.openTime,
    n.price(c.open),
    n.price(c.high),
    n.price(c.low),
    n.price(c.close),
    n.qty(c.volume),
    c.closeTime,
    n.quote(c.quoteVolume),
    c.count,
    n.qty(c.takerBuyVolume),
    n.quote(c.takerBuyQuoteVolume),
    '0',
  ];
}

const EIGHT_HOURS = 8 * 60 * 60 * 1000;

/** Funding happens every 8 hours, at 00:00, 08:00 and 16:00 UTC. */
export function nextFundingTime(now: number): number {
  return Math.floor(now / EIGHT_HOURS) * EIGHT_HOURS + EIGHT_HOURS;
}

/**
 * GET /fapi/v1/premiumIndex: mark price = index price = the emulator's price (it has one price per
 * symbol), no funding is ever charged (lastFundingRate 0), Binance's default interest rate.
 */
export function premiumIndexJson(symbol: string, price: Dec, now: number): Record<string, unknown> {
  const mark = fixed(price, 8);
  return {
    symbol,
    markPrice: mark,
    indexPrice: mark,
    estimatedSettlePrice: mark,
    lastFundingRate: '0.00000000',
    interestRate: '0.00010000',
    nextFundingTime: nextFundingTime(now),
    time: now,
  };
}
