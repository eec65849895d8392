import type { Engine } from '../engine/engine.ts';
import { fixedInterval, monthInterval, weekInterval, type CandleInterval } from '../engine/market-data.ts';
import { MARKETS } from '../engine/markets.ts';
import { BinanceError, errors } from './errors.ts';
import {
  aggTradeJson,
  aggregatesTogether,
  bookTickerJson,
  depthJson,
  klineRow,
  premiumIndexJson,
  publicTradeJson,
  ticker24hJson,
  type BinanceBook,
} from './market-format.ts';
import type { BinanceParams } from './params.ts';
import type { BinanceRoute } from './rest.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Kline intervals as Binance names them (case-sensitive); USDT-M has no 1s. */
const INTERVALS: Record<string, CandleInterval> = {
  '1s': fixedInterval(1000),
  '1m': fixedInterval(MINUTE),
  '3m': fixedInterval(3 * MINUTE),
  '5m': fixedInterval(5 * MINUTE),
  '15m': fixedInterval(15 * MINUTE),
  '30m': fixedInterval(30 * MINUTE),
  '1h': fixedInterval(HOUR),
  '2h': fixedInterval(2 * HOUR),
  '4h': fixedInterval(4 * HOUR),
  '6h': fixedInterval(6 * HOUR),
  '8h': fixedInterval(8 * HOUR),
  '12h': fixedInterval(12 * HOUR),
  '1d': fixedInterval(DAY),
  '3d': fixedInterval(3 * DAY),
  '1w': weekInterval(),
  '1M': monthInterval(),
};

const invalidInterval = (): BinanceError => new BinanceError(400, -1120, 'Invalid interval.');
const badCombination = (): BinanceError => new BinanceError(400, -1128, 'Combination of optional parameters invalid.');

function symbolsOf(book: BinanceBook): string[] {
  return MARKETS[book].map((m) => m.symbol);
}

function symbolOf(book: BinanceBook, params: BinanceParams): string {
  const symbol = params.required('symbol');
  if (!symbolsOf(book).includes(symbol)) throw errors.badSymbol();
  return symbol;
}

/** Spot `symbols`: a JSON array, e.g. ["BTCUSDT","BNBUSDT"] (sent URL-encoded). */
function symbolsParam(params: BinanceParams): string[] | undefined {
  const raw = params.string('symbols');
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new BinanceError(400, -1135, "JSON sent for parameter 'symbols' is not valid");
  }
  if (!Array.isArray(parsed) || parsed.some((s) => typeof s !== 'string')) throw errors.mandatory('symbols');
  const known = symbolsOf('binanceSpot');
  const list = parsed as string[];
  if (list.some((s) => !known.includes(s))) throw errors.badSymbol();
  return list;
}

/** One symbol (an object answer), a list (`symbols`, spot only) or every symbol (arrays). */
function selection(book: BinanceBook, params: BinanceParams): { one?: string; many: string[] } {
  const hasSymbol = params.string('symbol') !== undefined;
  const list = book === 'binanceSpot' ? symbolsParam(params) : undefined;
  if (hasSymbol && list) throw badCombination();
  if (hasSymbol) {
    const one = symbolOf(book, params);
    return { one, many: [one] };
  }
  return { many: list ?? symbolsOf(book) };
}

function bounded(params: BinanceParams, name: string, fallback: number, max: number): number {
  const value = params.int(name) ?? fallback;
  if (value < 1) throw new BinanceError(400, -1130, `Data sent for parameter '${name}' is not valid.`);
  return Math.min(value, max);
}

/** GET /api/v3/ticker/24hr weight: 2 for one symbol, by count for `symbols`, 80 for all. */
function ticker24hWeight(p: BinanceParams): number {
  if (p.string('symbol') !== undefined) return 2;
  const raw = p.string('symbols');
  if (raw === undefined) return 80;
  const count = raw.split(',').length;
  return count <= 20 ? 2 : count <= 100 ? 40 : 80;
}

/** GET /api/v3/depth weight by limit: 1-100: 5, 101-500: 25, 501-1000: 50, 1001-5000: 250. */
function spotDepthWeight(p: BinanceParams): number {
  const limit = Math.min(p.int('limit') ?? 100, 5000);
  return limit <= 100 ? 5 : limit <= 500 ? 25 : limit <= 1000 ? 50 : 250;
}

/** GET /fapi/v1/depth weight by limit: 5-50: 2, 100: 5, 500: 10, 1000: 20. */
function futuresDepthWeight(p: BinanceParams): number {
  const limit = p.int('limit') ?? 500;
  return limit <= 50 ? 2 : limit <= 100 ? 5 : limit <= 500 ? 10 : 20;
}

/** GET /fapi/v1/klines weight by limit: [1,100): 1, [100,500): 2, [500,1000]: 5, above: 10. */
function futuresKlinesWeight(p: BinanceParams): number {
  const limit = p.int('limit') ?? 500;
  return limit < 100 ? 1 : limit < 500 ? 2 : limit <= 1000 ? 5 : 10;
}

interface BookRoutesSpec {
  book: BinanceBook;
  prefix: '/api/v3' | '/fapi/v1';
  weights: {
    ticker24h: (p: BinanceParams) => number;
    bookTicker: (p: BinanceParams) => number;
    depth: (p: BinanceParams) => number;
    trades: number;
    aggTrades: number;
    klines: (p: BinanceParams) => number;
  };
  depthLimit: { fallback: number; max: number };
  klineLimit: { fallback: number; max: number };
}

function bookRoutes(engine: Engine, spec: BookRoutesSpec): BinanceRoute[] {
  const { book, prefix } = spec;
  const market = book === 'binanceSpot' ? 'spot' : 'futures';
  const data = engine.market;
  const oneOrMany = <T>(sel: { one?: string; many: string[] }, row: (symbol: string) => T): T | T[] =>
    sel.one !== undefined ? row(sel.one) : sel.many.map(row);
  return [
    {
      method: 'GET',
      path: `${prefix}/ticker/24hr`,
      market,
      security: 'NONE',
      weight: spec.weights.ticker24h,
      handle: ({ params }) => {
        const sel = selection(book, params);
        const type = params.string('type') ?? 'FULL';
        if (book === 'binanceSpot' && type !== 'FULL' && type !== 'MINI')
          throw new BinanceError(400, -1139, 'Invalid ticker type.');
        return oneOrMany(sel, (symbol) =>
          ticker24hJson(book, data.ticker(book, symbol), data.book(book, symbol, 1), type === 'MINI' ? 'MINI' : 'FULL'),
        );
      },
    },
    {
      method: 'GET',
      path: `${prefix}/ticker/bookTicker`,
      market,
      security: 'NONE',
      weight: spec.weights.bookTicker,
      handle: ({ params }) =>
        oneOrMany(selection(book, params), (symbol) => bookTickerJson(book, symbol, data.book(book, symbol, 1))),
    },
    {
      method: 'GET',
      path: `${prefix}/depth`,
      market,
      security: 'NONE',
      weight: spec.weights.depth,
      handle: ({ params }) => {
        const symbol = symbolOf(book, params);
        const limit = bounded(params, 'limit', spec.depthLimit.fallback, spec.depthLimit.max);
        return depthJson(book, symbol, data.book(book, symbol, limit));
      },
    },
    {
      method: 'GET',
      path: `${prefix}/trades`,
      market,
      security: 'NONE',
      weight: spec.weights.trades,
      handle: ({ params }) => {
        const symbol = symbolOf(book, params);
        const limit = bounded(params, 'limit', 500, 1000);
        return data.recentTrades(book, symbol, { limit }).map((t) => publicTradeJson(book, t));
      },
    },
    {
      method: 'GET',
      path: `${prefix}/aggTrades`,
      market,
      security: 'NONE',
      weight: spec.weights.aggTrades,
      handle: ({ params }) => {
        const symbol = symbolOf(book, params);
        const query = {
          fromId: params.int('fromId'),
          startTime: params.int('startTime'),
          endTime: params.int('endTime'),
          limit: bounded(params, 'limit', 500, 1000),
        };
        return data
          .aggregateTrades(book, symbol, query, aggregatesTogether(book))
          .map((a) => aggTradeJson(book, symbol, a));
      },
    },
    {
      method: 'GET',
      path: `${prefix}/klines`,
      market,
      security: 'NONE',
      weight: spec.weights.klines,
      handle: ({ params }) => {
        const symbol = symbolOf(book, params);
        const name = params.required('interval');
        const interval = INTERVALS[name];
        if (!interval || (book === 'binanceFutures' && name === '1s')) throw invalidInterval();
        const query = {
          startTime: params.int('startTime'),
          endTime: params.int('endTime'),
          limit: bounded(params, 'limit', spec.klineLimit.fallback, spec.klineLimit.max),
        };
        return data.candles(book, symbol, interval, query, name === '1s').map((c) => klineRow(book, symbol, c));
      },
    },
  ];
}

/**
 * Public market data on /api/v3 and /fapi/v1, from the engine's prices, depth model and fills
 * (engine/market-data.ts), with Binance's documented weights, defaults and limits.
 */
export function marketRoutes(engine: Engine, now: () => number): BinanceRoute[] {
  return [
    ...bookRoutes(engine, {
      book: 'binanceSpot',
      prefix: '/api/v3',
      weights: {
        ticker24h: ticker24hWeight,
        bookTicker: (p) => (p.string('symbol') !== undefined ? 2 : 4),
        depth: spotDepthWeight,
        trades: 25,
        aggTrades: 4,
        klines: () => 2,
      },
      depthLimit: { fallback: 100, max: 5000 },
      klineLimit: { fallback: 500, max: 1000 },
    }),
    {
      method: 'GET',
      path: '/api/v3/ticker/price',
      market: 'spot',
      security: 'NONE',
      weight: (p) => (p.string('symbol') !== undefined ? 2 : 4),
      handle: ({ params }) => {
        const sel = selection('binanceSpot', params);
        const row = (symbol: string): unknown => ({ symbol, price: engine.price(symbol) });
        return sel.one !== undefined ? row(sel.one) : sel.many.map(row);
      },
    },
    ...bookRoutes(engine, {
      book: 'binanceFutures',
      prefix: '/fapi/v1',
      weights: {
        ticker24h: (p) => (p.string('symbol') !== undefined ? 1 : 40),
        bookTicker: (p) => (p.string('symbol') !== undefined ? 2 : 5),
        depth: futuresDepthWeight,
        trades: 5,
        aggTrades: 20,
        klines: futuresKlinesWeight,
      },
      depthLimit: { fallback: 500, max: 1000 },
      klineLimit: { fallback: 500, max: 1500 },
    }),
    {
      method: 'GET',
      path: '/fapi/v1/premiumIndex',
      market: 'futures',
      security: 'NONE',
      weight: (p) => (p.string('symbol') !== undefined ? 1 : 10),
      handle: ({ params }) => {
        const row = (symbol: string): unknown => premiumIndexJson(symbol, engine.market.price(symbol), now());
        return params.string('symbol') !== undefined
          ? row(symbolOf('binanceFutures', params))
          : symbolsOf('binanceFutures').map(row);
      },
    },
  ];
}
