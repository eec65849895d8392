import { str, type Dec } from '../engine/decimal.ts';
import type { Engine } from '../engine/engine.ts';
import {
  fixedInterval,
  monthInterval,
  weekInterval,
  type BookLevel,
  type Candle,
  type CandleInterval,
  type PublicTrade,
} from '../engine/market-data.ts';
import { MARKETS, type MarketBook } from '../engine/markets.ts';
import { bitgetErrors, BitgetError } from './errors.ts';
import { bitgetId, engineId } from './format.ts';
import type { BitgetRoute } from './rest.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Bitget's plain 6h/12h/day/week/month candles follow UTC+8; the `…utc` ones UTC. */
const UTC8 = 8 * HOUR;

/** Spot candle granularities as Bitget names them. */
export const SPOT_GRANULARITIES: Record<string, CandleInterval> = {
  '1min': fixedInterval(MINUTE),
  '3min': fixedInterval(3 * MINUTE),
  '5min': fixedInterval(5 * MINUTE),
  '15min': fixedInterval(15 * MINUTE),
  '30min': fixedInterval(30 * MINUTE),
  '1h': fixedInterval(HOUR),
  '4h': fixedInterval(4 * HOUR),
  '6h': fixedInterval(6 * HOUR, UTC8),
  '12h': fixedInterval(12 * HOUR, UTC8),
  '1day': fixedInterval(DAY, UTC8),
  '3day': fixedInterval(3 * DAY, UTC8),
  '1week': weekInterval(UTC8),
  '1M': monthInterval(UTC8),
  '6Hutc': fixedInterval(6 * HOUR),
  '12Hutc': fixedInterval(12 * HOUR),
  '1Dutc': fixedInterval(DAY),
  '3Dutc': fixedInterval(3 * DAY),
  '1Wutc': weekInterval(),
  '1Mutc': monthInterval(),
};

type Params = Record<string, unknown>;

function text(params: Params, name: string): string | undefined {
  const value = params[name];
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function intParam(params: Params, name: string): number | undefined {
  const raw = text(params, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw bitgetErrors.invalid(name);
  return value;
}

/** A limit within Bitget's documented default and maximum (larger asks get the maximum). */
function limitParam(params: Params, fallback: number, max: number): number {
  const value = intParam(params, 'limit') ?? fallback;
  if (value < 1) throw bitgetErrors.invalid('limit');
  return Math.min(value, max);
}

function symbolParam(book: MarketBook, params: Params): string {
  const symbol = text(params, 'symbol');
  if (symbol === undefined) throw bitgetErrors.missing('symbol');
  if (!MARKETS[book].some((m) => m.symbol === symbol))
    throw new BitgetError(400, '40034', `Parameter ${symbol} does not exist`);
  return symbol;
}

/** Ratios with five decimals, as Bitget prints `change24h` ("0.00069" = 0.069 %). */
function ratio(last: Dec, open: Dec): string {
  return open.isZero() ? '0' : str(last.sub(open).div(open).toDecimalPlaces(5));
}

const levelRows = (levels: readonly BookLevel[]): [string, string][] =>
  levels.map(([price, qty]) => [str(price), str(qty)]);

function candleRow(c: Candle): string[] {
  const quote = str(c.quoteVolume);
  return [String(c.openTime), str(c.open), str(c.high), str(c.low), str(c.close), str(c.volume), quote, quote];
}

/** The public market data of one Bitget book (spot here; `mix` can reuse it with its own paths). */
export interface BitgetMarketDataSpec {
  book: MarketBook;
  /** e.g. `/api/v2/spot/market`. */
  prefix: string;
  granularities: Record<string, CandleInterval>;
}

/**
 * Tickers, order book, recent and historical trades and candles, computed from the engine's
 * prices, depth model and fills (engine/market-data.ts), in Bitget's spot v2 shapes and limits.
 */
export function bitgetMarketRoutes(engine: Engine, spec: BitgetMarketDataSpec): BitgetRoute[] {
  const { book, prefix } = spec;
  const data = engine.market;
  const trade = (t: PublicTrade, history: boolean): Record<string, unknown> => ({
    symbol: t.symbol,
    tradeId: bitgetId(t.id),
    // The taker's direction; fills-history writes it capitalised and its time to the second.
    side: history ? (t.takerSide === 'BUY' ? 'Buy' : 'Sell') : t.takerSide === 'BUY' ? 'buy' : 'sell',
    price: str(t.price),
    size: str(t.qty),
    ts: String(history ? Math.floor(t.time / 1000) * 1000 : t.time),
  });
  const candles = (params: Params, max: number, endRequired: boolean): string[][] => {
    const symbol = symbolParam(book, params);
    const name = text(params, 'granularity');
    if (name === undefined) throw bitgetErrors.missing('granularity');
    const interval = spec.granularities[name];
    if (!interval) throw bitgetErrors.invalid('granularity');
    const endTime = intParam(params, 'endTime');
    if (endRequired && endTime === undefined) throw bitgetErrors.missing('endTime');
    const startTime = endRequired ? undefined : intParam(params, 'startTime');
    // Bitget aligns from the end: the latest `limit` candles up to endTime, none before startTime.
    return data
      .candles(book, symbol, interval, { endTime, limit: limitParam(params, 100, max) })
      .filter((c) => startTime === undefined || c.openTime >= interval.floor(startTime))
      .map(candleRow);
  };
  return [
    {
      method: 'GET',
      path: `${prefix}/tickers`,
      private: false,
      perSecond: 20,
      handle: ({ params }) => {
        const symbols =
          text(params, 'symbol') === undefined ? MARKETS[book].map((m) => m.symbol) : [symbolParam(book, params)];
        return symbols.map((symbol) => {
          const t = data.ticker(book, symbol);
          const top = data.book(book, symbol, 1);
          const utcDay = Math.floor(top.time / DAY) * DAY;
          const openUtc =
            data.candles(book, symbol, fixedInterval(DAY), { startTime: utcDay, limit: 1 })[0]?.open ?? t.open;
          const [bid, ask] = [top.bids[0], top.asks[0]];
          return {
            symbol,
            high24h: str(t.high),
            open: str(t.open),
            low24h: str(t.low),
            lastPr: str(t.last),
            quoteVolume: str(t.quoteVolume),
            baseVolume: str(t.volume),
            usdtVolume: str(t.quoteVolume),
            bidPr: bid ? str(bid[0]) : '0',
            askPr: ask ? str(ask[0]) : '0',
            bidSz: bid ? str(bid[1]) : '0',
            askSz: ask ? str(ask[1]) : '0',
            openUtc: str(openUtc),
            ts: String(top.time),
            changeUtc24h: ratio(t.last, openUtc),
            change24h: ratio(t.last, t.open),
          };
        });
      },
    },
    {
      method: 'GET',
      path: `${prefix}/orderbook`,
      private: false,
      perSecond: 20,
      handle: ({ params }) => {
        const symbol = symbolParam(book, params);
        const type = text(params, 'type') ?? 'step0';
        if (!/^step[0-5]$/.test(type)) throw bitgetErrors.invalid('type');
        const snapshot = data.book(book, symbol, limitParam(params, 150, 150));
        return { asks: levelRows(snapshot.asks), bids: levelRows(snapshot.bids), ts: String(snapshot.time) };
      },
    },
    {
      // Recent trades, newest first.
      method: 'GET',
      path: `${prefix}/fills`,
      private: false,
      perSecond: 10,
      handle: ({ params }) => {
        const symbol = symbolParam(book, params);
        return data
          .recentTrades(book, symbol, { limit: limitParam(params, 100, 500) })
          .reverse()
          .map((t) => trade(t, false));
      },
    },
    {
      // Market trades by time or before a trade id, newest first.
      method: 'GET',
      path: `${prefix}/fills-history`,
      private: false,
      perSecond: 10,
      handle: ({ params }) => {
        const symbol = symbolParam(book, params);
        const idLessThan = text(params, 'idLessThan');
        const startTime = intParam(params, 'startTime');
        const trades = data.recentTrades(book, symbol, {
          beforeId: idLessThan === undefined ? undefined : (engineId(idLessThan) ?? 0),
          endTime: intParam(params, 'endTime'),
          limit: Number.MAX_SAFE_INTEGER,
        });
        return trades
          .filter((t) => startTime === undefined || t.time >= startTime)
          .slice(-limitParam(params, 500, 1000))
          .reverse()
          .map((t) => trade(t, true));
      },
    },
    {
      method: 'GET',
      path: `${prefix}/candles`,
      private: false,
      perSecond: 20,
      handle: ({ params }) => candles(params, 1000, false),
    },
    {
      method: 'GET',
      path: `${prefix}/history-candles`,
      private: false,
      perSecond: 20,
      handle: ({ params }) => candles(params, 200, true),
    },
  ];
}

export function bitgetSpotMarketRoutes(engine: Engine): BitgetRoute[] {
  return bitgetMarketRoutes(engine, {
    book: 'bitgetSpot',
    prefix: '/api/v2/spot/market',
    granularities: SPOT_GRANULARITIES,
  });
}
