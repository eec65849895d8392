import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorHarness, idOf } from './harness.ts';

/**
 * Public market data through real ccxt (fetchTicker(s), fetchOrderBook, fetchTrades, fetchOHLCV,
 * premiumIndex) on binance, binanceusdm and bitget: it agrees with the emulator's own price after
 * setPrice, with its depth model, and with the fills it executed. Raw shapes are checked against
 * the exchanges' documentation with plain fetch.
 */
let h: EmulatorHarness;

beforeAll(async () => {
  h = await EmulatorHarness.start();
});
afterEach(() => {
  h.em.clearDepth();
});
afterAll(async () => {
  await h.close();
});

async function getJson(path: string): Promise<{ status: number; json: unknown; headers: Headers }> {
  const res = await fetch(`${h.em.httpUrl}${path}`);
  return { status: res.status, json: await res.json(), headers: res.headers };
}

/** The request weight a public Binance call used (X-MBX-USED-WEIGHT-1M grows by it). */
async function weightOf(path: string): Promise<number> {
  const base = path.startsWith('/fapi') ? '/fapi/v1/ping' : '/api/v3/ping';
  const before = Number((await getJson(base)).headers.get('x-mbx-used-weight-1m'));
  const after = Number((await getJson(path)).headers.get('x-mbx-used-weight-1m'));
  return after - before;
}

describe('Binance spot market data', () => {
  it('ticker, book and last price follow setPrice', async () => {
    const ex = h.binanceAccount().spot();
    h.em.setPrice('BTCUSDT', '61000');
    const ticker = await ex.fetchTicker('BTC/USDT');
    expect(ticker).toMatchObject({ symbol: 'BTC/USDT', last: 61000, close: 61000, bid: 61000, ask: 61000 });
    expect(ticker.high).toBeGreaterThanOrEqual(61000);
    const tickers = await ex.fetchTickers(['BTC/USDT', 'ETH/USDT']);
    expect(Object.keys(tickers).sort()).toEqual(['BTC/USDT', 'ETH/USDT']);
    expect(tickers['ETH/USDT']?.last).toBe(Number(h.em.price('ETHUSDT')));
    const prices = await ex.fetchLastPrices(['BTC/USDT']);
    expect(prices['BTC/USDT']?.price).toBe(61000);
    const bidsAsks = await ex.fetchBidsAsks(['BTC/USDT']);
    expect(bidsAsks['BTC/USDT']).toMatchObject({ bid: 61000, ask: 61000 });
  });

  it('the book is the depth model, and a market buy pays its levels; trades, 24h volume and klines show the fills', async () => {
    const acct = h.binanceAccount({ USDT: '5000' });
    const ex = acct.spot();
    h.em.setPrice('BTCUSDT', '60000');
    h.em.setDepth('BTCUSDT', { qty: '0.005', step: '2' });
    const book = await ex.fetchOrderBook('BTC/USDT', 5);
    expect(book.asks).toEqual([
      [60000, 0.005],
      [60002, 0.005],
      [60004, 0.005],
      [60006, 0.005],
      [60008, 0.005],
    ]);
    expect(book.bids[0]).toEqual([60000, 0.005]);
    expect(book.bids[1]).toEqual([59998, 0.005]);
    expect(book.nonce).toBeGreaterThan(0);

    const volumeBefore = (await ex.fetchTicker('BTC/USDT')).baseVolume ?? 0;
    const order = await ex.createOrder('BTC/USDT', 'market', 'buy', 0.012);
    const fills = await ex.fetchMyTrades('BTC/USDT', undefined, undefined, { orderId: idOf(order) });
    const fillPrices = fills.map((t) => Number(t.price)).sort((a, b) => a - b);
    expect(fillPrices).toEqual([60000, 60002, 60004]);
    expect(fillPrices[0]).toBe(book.asks[0]?.[0]);

    const trades = await ex.fetchTrades('BTC/USDT');
    const last3 = trades.slice(-3);
    expect(last3.map((t) => [t.price, t.amount, t.side])).toEqual([
      [60000, 0.005, 'buy'],
      [60002, 0.005, 'buy'],
      [60004, 0.002, 'buy'],
    ]);
    expect(trades.at(-1)?.price).toBe(fills.find((t) => t.price === 60004)?.price);

    const ticker = await ex.fetchTicker('BTC/USDT');
    expect(ticker.baseVolume).toBeCloseTo(volumeBefore + 0.012, 8);
    expect(ticker.last).toBe(60000); // trades never move the emulator's price
    expect(ticker.high).toBeGreaterThanOrEqual(60004);

    const candles = await ex.fetchOHLCV('BTC/USDT', '1m', undefined, 5);
    const [time, , high, , close, volume] = candles.at(-1) ?? [];
    expect(time).toBe(Math.floor(Date.now() / 60_000) * 60_000);
    expect(close).toBe(60000);
    expect(high).toBeGreaterThanOrEqual(60004);
    expect(volume).toBeGreaterThanOrEqual(0.012);
  });

  it('klines follow the price path: open is the price in force, high and low the moves, close the last price', async () => {
    const ex = h.binanceAccount().spot();
    h.em.setPrice('SOLUSDT', '150');
    h.em.setPrice('SOLUSDT', '155');
    h.em.setPrice('SOLUSDT', '148');
    h.em.setPrice('SOLUSDT', '151');
    const [[, open, high, low, close] = []] = (await ex.fetchOHLCV('SOL/USDT', '1s', undefined, 1)) as number[][];
    expect([open, high, low, close]).toEqual([150, 155, 148, 151]);
    const minute = (await ex.fetchOHLCV('SOL/USDT', '1m', undefined, 1)).at(-1) ?? [];
    expect(minute[2]).toBeGreaterThanOrEqual(155);
    expect(minute[3]).toBeLessThanOrEqual(148);
    expect(minute[4]).toBe(151);
  });

  it('speaks the documented shapes and weights', async () => {
    h.em.setPrice('ETHUSDT', '3000');
    const one = (await getJson('/api/v3/ticker/24hr?symbol=ETHUSDT')).json as Record<string, unknown>;
    expect(Object.keys(one)).toEqual([
      'symbol',
      'priceChange',
      'priceChangePercent',
      'weightedAvgPrice',
      'prevClosePrice',
      'lastPrice',
      'lastQty',
      'bidPrice',
      'bidQty',
      'askPrice',
      'askQty',
      'openPrice',
      'highPrice',
      'lowPrice',
      'volume',
      'quoteVolume',
      'openTime',
      'closeTime',
      'firstId',
      'lastId',
      'count',
    ]);
    expect(one).toMatchObject({ lastPrice: '3000.00000000', bidPrice: '3000.00000000' });
    const mini = (await getJson('/api/v3/ticker/24hr?symbol=ETHUSDT&type=MINI')).json as Record<string, unknown>;
    expect(mini).not.toHaveProperty('bidPrice');
    expect(mini).toHaveProperty('lastPrice', '3000.00000000');
    const list = (await getJson(`/api/v3/ticker/price?symbols=${encodeURIComponent('["ETHUSDT","BTCUSDT"]')}`))
      .json as { symbol: string }[];
    expect(list.map((r) => r.symbol)).toEqual(['ETHUSDT', 'BTCUSDT']);
    const both = await getJson(`/api/v3/ticker/24hr?symbol=ETHUSDT&symbols=${encodeURIComponent('["ETHUSDT"]')}`);
    expect(both).toMatchObject({ status: 400, json: { code: -1128 } });
    expect((await getJson('/api/v3/klines?symbol=ETHUSDT&interval=7m')).json).toMatchObject({ code: -1120 });
    const depth = (await getJson('/api/v3/depth?symbol=ETHUSDT')).json as { bids: unknown[]; asks: string[][] };
    expect(depth.bids).toHaveLength(100); // default limit
    expect(depth.asks[0]).toEqual(['3000.00000000', '9000.00000000']); // infinite depth: maxQty per level
    const trade = (await getJson('/api/v3/trades?symbol=BTCUSDT&limit=1')).json as Record<string, unknown>[];
    expect(Object.keys(trade[0] ?? {})).toEqual([
      'id',
      'price',
      'qty',
      'quoteQty',
      'time',
      'isBuyerMaker',
      'isBestMatch',
    ]);
    const agg = (await getJson('/api/v3/aggTrades?symbol=BTCUSDT&limit=1')).json as Record<string, unknown>[];
    expect(Object.keys(agg[0] ?? {})).toEqual(['a', 'p', 'q', 'f', 'l', 'T', 'm', 'M']);
    const kline = (await getJson('/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=1')).json as unknown[][];
    expect(kline[0]).toHaveLength(12);

    expect(await weightOf('/api/v3/ticker/24hr?symbol=ETHUSDT')).toBe(2);
    expect(await weightOf('/api/v3/ticker/24hr')).toBe(80);
    expect(await weightOf('/api/v3/depth?symbol=ETHUSDT&limit=1000')).toBe(50);
    expect(await weightOf('/api/v3/depth?symbol=ETHUSDT&limit=5000')).toBe(250);
    expect(await weightOf('/api/v3/trades?symbol=ETHUSDT')).toBe(25);
    expect(await weightOf('/api/v3/aggTrades?symbol=ETHUSDT')).toBe(4);
    expect(await weightOf('/api/v3/klines?symbol=ETHUSDT&interval=1h')).toBe(2);
    expect(await weightOf('/api/v3/ticker/bookTicker')).toBe(4);
  });
});

describe('Binance USDT-M market data', () => {
  const BTC_PERP = 'BTC/USDT:USDT';

  it('ticker, mark price and funding follow setPrice', async () => {
    const ex = h.binanceAccount().usdm();
    h.em.setPrice('BTCUSDT', '62000');
    const ticker = await ex.fetchTicker(BTC_PERP);
    expect(ticker).toMatchObject({ last: 62000 });
    const funding = await ex.fetchFundingRate(BTC_PERP);
    expect(funding).toMatchObject({ markPrice: 62000, indexPrice: 62000, fundingRate: 0 });
    expect(funding.fundingTimestamp ?? 0).toBeGreaterThan(Date.now());
    expect((funding.fundingTimestamp ?? 0) % (8 * 3_600_000)).toBe(0);
    const premium = (await getJson('/fapi/v1/premiumIndex')).json as Record<string, unknown>[];
    expect(Object.keys(premium[0] ?? {})).toEqual([
      'symbol',
      'markPrice',
      'indexPrice',
      'estimatedSettlePrice',
      'lastFundingRate',
      'interestRate',
      'nextFundingTime',
      'time',
    ]);
  });

  it('a market buy pays the book levels; trades, volume and klines show the fills', async () => {
    const ex = h.binanceAccount({}, { USDT: '20000' }).usdm();
    h.em.setPrice('ETHUSDT', '3000');
    h.em.setDepth('ETHUSDT', { qty: '0.1', step: '0.5' });
    const book = await ex.fetchOrderBook('ETH/USDT:USDT', 5);
    expect(book.asks.slice(0, 3)).toEqual([
      [3000, 0.1],
      [3000.5, 0.1],
      [3001, 0.1],
    ]);
    const before = (await ex.fetchTicker('ETH/USDT:USDT')).baseVolume ?? 0;
    await ex.createOrder('ETH/USDT:USDT', 'market', 'buy', 0.25);
    const trades = await ex.fetchTrades('ETH/USDT:USDT');
    expect(trades.slice(-3).map((t) => [t.price, t.amount, t.side])).toEqual([
      [3000, 0.1, 'buy'],
      [3000.5, 0.1, 'buy'],
      [3001, 0.05, 'buy'],
    ]);
    const after = await ex.fetchTicker('ETH/USDT:USDT');
    expect(after.baseVolume).toBeCloseTo(before + 0.25, 8);
    const candle = (await ex.fetchOHLCV('ETH/USDT:USDT', '1m', undefined, 1)).at(-1) ?? [];
    expect(candle[4]).toBe(3000);
    expect(candle[5]).toBeGreaterThanOrEqual(0.25);

    const raw = (await getJson('/fapi/v1/depth?symbol=ETHUSDT&limit=5')).json as Record<string, unknown>;
    expect(Object.keys(raw)).toEqual(['lastUpdateId', 'E', 'T', 'bids', 'asks']);
    expect((raw['asks'] as string[][])[1]).toEqual(['3000.50', '0.100']);
    expect(await weightOf('/fapi/v1/depth?symbol=ETHUSDT&limit=1000')).toBe(20);
    expect(await weightOf('/fapi/v1/ticker/24hr')).toBe(40);
    expect(await weightOf('/fapi/v1/aggTrades?symbol=ETHUSDT')).toBe(20);
    expect(await weightOf('/fapi/v1/klines?symbol=ETHUSDT&interval=1m&limit=1500')).toBe(10);
    expect(await weightOf('/fapi/v1/premiumIndex')).toBe(10);
    expect((await getJson('/fapi/v1/klines?symbol=ETHUSDT&interval=1s')).json).toMatchObject({ code: -1120 });
  });
});

describe('Bitget spot market data and orders', () => {
  it('ticker, book, trades and candles agree with the price and the fills', async () => {
    const ex = h.bitgetAccount({ USDT: '2000', SOL: '10' }).client();
    h.em.setPrice('SOLUSDT', '150');
    h.em.setDepth('SOLUSDT', { qty: '1', step: '0.01' });
    const ticker = await ex.fetchTicker('SOL/USDT');
    expect(ticker).toMatchObject({ last: 150, bid: 150, ask: 150, bidVolume: 1, askVolume: 1 });
    const book = await ex.fetchOrderBook('SOL/USDT', 3);
    expect(book.asks).toEqual([
      [150, 1],
      [150.01, 1],
      [150.02, 1],
    ]);
    expect(book.bids[1]).toEqual([149.99, 1]);

    const before = ticker.baseVolume ?? 0;
    const order = await ex.createOrder('SOL/USDT', 'market', 'sell', 2.5);
    expect((await ex.fetchOrder(idOf(order), 'SOL/USDT')).status).toBe('closed');
    const trades = await ex.fetchTrades('SOL/USDT');
    expect(trades.slice(-3).map((t) => [t.price, t.amount, t.side])).toEqual([
      [150, 1, 'sell'],
      [149.99, 1, 'sell'],
      [149.98, 0.5, 'sell'],
    ]);
    const after = await ex.fetchTicker('SOL/USDT');
    expect(after.baseVolume).toBeCloseTo(before + 2.5, 8);
    const candle = (await ex.fetchOHLCV('SOL/USDT', '1m', undefined, 2)).at(-1) ?? [];
    expect(candle[4]).toBe(150);
    expect(candle[3]).toBeLessThanOrEqual(149.98);
    expect(candle[5]).toBeGreaterThanOrEqual(2.5);

    const raw = (await getJson('/api/v2/spot/market/tickers?symbol=SOLUSDT')).json as {
      data: Record<string, unknown>[];
    };
    expect(Object.keys(raw.data[0] ?? {})).toEqual([
      'symbol',
      'high24h',
      'open',
      'low24h',
      'lastPr',
      'quoteVolume',
      'baseVolume',
      'usdtVolume',
      'bidPr',
      'askPr',
      'bidSz',
      'askSz',
      'openUtc',
      'ts',
      'changeUtc24h',
      'change24h',
    ]);
    const history = (await getJson('/api/v2/spot/market/fills-history?symbol=SOLUSDT&limit=2')).json as {
      data: { side: string; ts: string; tradeId: string }[];
    };
    expect(history.data[0]?.side).toBe('Sell');
    expect(Number(history.data[0]?.ts) % 1000).toBe(0);
    expect(BigInt(history.data[0]?.tradeId ?? '0')).toBeGreaterThan(BigInt(history.data[1]?.tradeId ?? '0'));
    const candles = (await getJson('/api/v2/spot/market/candles?symbol=SOLUSDT&granularity=1min&limit=1')).json as {
      data: string[][];
    };
    expect(candles.data[0]).toHaveLength(8);
    expect((await getJson('/api/v2/spot/market/candles?symbol=SOLUSDT&granularity=2min')).json).toMatchObject({
      code: '40017',
    });
  });

  it('orders carry force, so ccxt reads timeInForce and postOnly', async () => {
    const ex = h.bitgetAccount({ USDT: '1000' }).client();
    h.em.setPrice('ETHUSDT', '3000');
    const gtc = await ex.createOrder('ETH/USDT', 'limit', 'buy', 0.01, 2500);
    const po = await ex.createOrder('ETH/USDT', 'limit', 'buy', 0.01, 2400, { postOnly: true });
    const ioc = await ex.createOrder('ETH/USDT', 'limit', 'buy', 0.01, 2300, { timeInForce: 'IOC' });
    expect(await ex.fetchOrder(idOf(gtc), 'ETH/USDT')).toMatchObject({ timeInForce: 'GTC', postOnly: false });
    expect(await ex.fetchOrder(idOf(po), 'ETH/USDT')).toMatchObject({ timeInForce: 'PO', postOnly: true });
    expect(await ex.fetchOrder(idOf(ioc), 'ETH/USDT')).toMatchObject({ timeInForce: 'IOC' });
    const open = await ex.fetchOpenOrders('ETH/USDT');
    expect(open.map((o) => o.timeInForce).sort()).toEqual(['GTC', 'PO']);
    const closed = await ex.fetchCanceledAndClosedOrders('ETH/USDT');
    expect(closed.find((o) => o.id === ioc.id)?.timeInForce).toBe('IOC');
  });
});
