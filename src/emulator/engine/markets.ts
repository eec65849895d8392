import { decimalsOf } from './decimal.ts';

/** One tradable symbol on one venue, with the filters the venue enforces. */
export interface MarketSpec {
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  readonly tickSize: string;
  readonly minPrice: string;
  readonly maxPrice: string;
  readonly stepSize: string;
  readonly minQty: string;
  readonly maxQty: string;
  readonly minNotional: string;
  readonly pricePrecision: number;
  readonly quantityPrecision: number;
}

export interface FeeSchedule {
  readonly maker: string;
  readonly taker: string;
}

export type MarketBook = 'binanceSpot' | 'binanceFutures' | 'bitgetSpot' | 'bitgetFutures';

type FilterInput = Omit<MarketSpec, 'pricePrecision' | 'quantityPrecision' | 'minPrice' | 'maxPrice'> &
  Partial<Pick<MarketSpec, 'minPrice' | 'maxPrice'>>;

function market(input: FilterInput): MarketSpec {
  return {
    minPrice: input.tickSize,
    maxPrice: '1000000',
    ...input,
    pricePrecision: decimalsOf(input.tickSize),
    quantityPrecision: decimalsOf(input.stepSize),
  };
}

/** Filters modelled on the live venues (BTC step 0.00001 spot / 0.001 futures, min notional 5 / 100). */
export const MARKETS: Readonly<Record<MarketBook, readonly MarketSpec[]>> = {
  binanceSpot: [
    market({
      symbol: 'BTCUSDT',
      base: 'BTC',
      quote: 'USDT',
      tickSize: '0.01',
      stepSize: '0.00001',
      minQty: '0.00001',
      maxQty: '9000',
      minNotional: '5',
    }),
    market({
      symbol: 'ETHUSDT',
      base: 'ETH',
      quote: 'USDT',
      tickSize: '0.01',
      stepSize: '0.0001',
      minQty: '0.0001',
      maxQty: '9000',
      minNotional: '5',
    }),
    market({
      symbol: 'SOLUSDT',
      base: 'SOL',
      quote: 'USDT',
      tickSize: '0.01',
      stepSize: '0.001',
      minQty: '0.001',
      maxQty: '90000',
      minNotional: '5',
    }),
  ],
  binanceFutures: [
    market({
      symbol: 'BTCUSDT',
      base: 'BTC',
      quote: 'USDT',
      tickSize: '0.1',
      stepSize: '0.001',
      minQty: '0.001',
      maxQty: '1000',
      minNotional: '100',
    }),
    market({
      symbol: 'ETHUSDT',
      base: 'ETH',
      quote: 'USDT',
      tickSize: '0.01',
      stepSize: '0.001',
      minQty: '0.001',
      maxQty: '10000',
      minNotional: '20',
    }),
    market({
      symbol: 'SOLUSDT',
      base: 'SOL',
      quote: 'USDT',
      tickSize: '0.01',
      stepSize: '1',
      minQty: '1',
      maxQty: '1000000',
      minNotional: '5',
    }),
  ],
  bitgetSpot: [
    market({
      symbol: 'BTCUSDT',
      base: 'BTC',
      quote: 'USDT',
      tickSize: '0.01',
      stepSize: '0.000001',
      minQty: '0',
      maxQty: '10000000000',
      minNotional: '1',
    }),
    market({
      symbol: 'ETHUSDT',
      base: 'ETH',
      quote: 'USDT',
      tickSize: '0.01',
      stepSize: '0.0001',
      minQty: '0',
      maxQty: '10000000000',
      minNotional: '1',
    }),
    market({
      symbol: 'SOLUSDT',
      base: 'SOL',
      quote: 'USDT',
      tickSize: '0.001',
      stepSize: '0.0001',
      minQty: '0',
      maxQty: '10000000000',
      minNotional: '1',
    }),
  ],
  // Bitget USDT-M perpetuals (v2 mix contracts: pricePlace/priceEndStep, volumePlace/sizeMultiplier,
  // minTradeNum, minTradeUSDT 5), as GET /api/v2/mix/market/contracts lists them.
  bitgetFutures: [
    market({
      symbol: 'BTCUSDT',
      base: 'BTC',
      quote: 'USDT',
      tickSize: '0.1',
      stepSize: '0.0001',
      minQty: '0.0001',
      maxQty: '1000000',
      minNotional: '5',
    }),
    market({
      symbol: 'ETHUSDT',
      base: 'ETH',
      quote: 'USDT',
      tickSize: '0.01',
      stepSize: '0.01',
      minQty: '0.01',
      maxQty: '1000000',
      minNotional: '5',
    }),
    market({
      symbol: 'SOLUSDT',
      base: 'SOL',
      quote: 'USDT',
      tickSize: '0.001',
      stepSize: '0.1',
      minQty: '0.1',
      maxQty: '1000000',
      minNotional: '5',
    }),
  ],
};

export const FEES: Readonly<Record<MarketBook, FeeSchedule>> = {
  binanceSpot: { maker: '0.001', taker: '0.001' },
  binanceFutures: { maker: '0.0002', taker: '0.0004' },
  bitgetSpot: { maker: '0.001', taker: '0.001' },
  bitgetFutures: { maker: '0.0002', taker: '0.0006' },
};

/** The futures book of a venue: its USDT-M perpetuals' filters and fees. */
export function futuresBook(venue: 'binance' | 'bitget'): 'binanceFutures' | 'bitgetFutures' {
  return venue === 'bitget' ? 'bitgetFutures' : 'binanceFutures';
}

export const INITIAL_PRICES: Readonly<Record<string, string>> = {
  BTCUSDT: '60000',
  ETHUSDT: '3000',
  SOLUSDT: '150',
};

/** Prices move on this grid: the finest tick any venue quotes the symbol in. */
export function priceTick(symbol: string): string {
  const ticks = Object.values(MARKETS)
    .flat()
    .filter((m) => m.symbol === symbol)
    .map((m) => m.tickSize);
  return ticks.sort((a, b) => decimalsOf(b) - decimalsOf(a))[0] ?? '0.01';
}

export function findMarket(book: MarketBook, symbol: string): MarketSpec | undefined {
  return MARKETS[book].find((m) => m.symbol === symbol);
}

export function allSymbols(): string[] {
  return [...new Set(Object.values(MARKETS).flatMap((list) => list.map((m) => m.symbol)))];
}
