import { describe, expect, it } from 'vitest';
import { emptyState } from '../../src/emulator/engine/context.ts';
import { dec } from '../../src/emulator/engine/decimal.ts';
import { Engine } from '../../src/emulator/engine/engine.ts';
import { fixedInterval, monthInterval, weekInterval, type PublicTrade } from '../../src/emulator/engine/market-data.ts';

/** The venue-neutral market data of the engine, on a clock the test moves. */
function engineAt(start: number): { engine: Engine; clock: { now: number } } {
  const clock = { now: start };
  const engine = new Engine(emptyState(), () => clock.now);
  engine.createAccount({
    id: 'a',
    exchange: 'binance',
    apiKey: 'k'.repeat(64),
    secret: 's',
    spot: { USDT: '100000', BTC: '10' },
    futures: { USDT: '100000' },
  });
  return { engine, clock };
}

const T0 = Date.UTC(2026, 2, 4, 10, 0, 0); // a Wednesday, 10:00 UTC
const MINUTE = 60_000;

describe('engine market data', () => {
  it('candles: open is the price in force, quiet minutes carry the close, volumes are the fills', () => {
    const { engine, clock } = engineAt(T0);
    engine.setPrice('BTCUSDT', '60000');
    clock.now = T0 + 10_000;
    engine.setPrice('BTCUSDT', '60100');
    engine.spot.place('a', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: dec('0.01'),
      clientOrderId: 'c1',
    });
    clock.now = T0 + 3 * MINUTE + 5_000;
    engine.setPrice('BTCUSDT', '59900');
    engine.spot.place('a', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'MARKET',
      quantity: dec('0.02'),
      clientOrderId: 'c2',
    });

    const candles = engine.market.candles('binanceSpot', 'BTCUSDT', fixedInterval(MINUTE), { limit: 10 });
    expect(
      candles.map((c) => [c.openTime - T0, c.open.toString(), c.high.toString(), c.low.toString(), c.close.toString()]),
    ).toEqual([
      [0, '60000', '60100', '60000', '60100'],
      [MINUTE, '60100', '60100', '60100', '60100'],
      [2 * MINUTE, '60100', '60100', '60100', '60100'],
      [3 * MINUTE, '60100', '60100', '59900', '59900'],
    ]);
    expect(candles[0]).toMatchObject({ count: 1, closeTime: T0 + MINUTE - 1 });
    expect(candles[0]?.volume.toString()).toBe('0.01');
    expect(candles[0]?.takerBuyVolume.toString()).toBe('0.01');
    expect(candles[3]?.volume.toString()).toBe('0.02');
    expect(candles[3]?.takerBuyVolume.toString()).toBe('0');

    const from = engine.market.candles('binanceSpot', 'BTCUSDT', fixedInterval(MINUTE), {
      startTime: T0 + MINUTE,
      limit: 2,
    });
    expect(from.map((c) => c.openTime - T0)).toEqual([MINUTE, 2 * MINUTE]);
    // Futures trades are another book: spot fills are not in it.
    const futures = engine.market.candles('binanceFutures', 'BTCUSDT', fixedInterval(MINUTE), { limit: 1 });
    expect(futures[0]?.volume.toString()).toBe('0');
  });

  it('the 24 h ticker opens at the minute 24 h ago and counts only the trades since', () => {
    const { engine, clock } = engineAt(T0);
    engine.setPrice('ETHUSDT', '3000');
    engine.spot.place('a', { symbol: 'ETHUSDT', side: 'BUY', type: 'MARKET', quantity: dec('1'), clientOrderId: 'e1' });
    clock.now = T0 + 60 * MINUTE;
    engine.setPrice('ETHUSDT', '3300');
    engine.spot.place('a', { symbol: 'ETHUSDT', side: 'BUY', type: 'MARKET', quantity: dec('2'), clientOrderId: 'e2' });
    clock.now = T0 + 24 * 60 * MINUTE + 30 * MINUTE;
    engine.setPrice('ETHUSDT', '3200');
    const t = engine.market.ticker('binanceSpot', 'ETHUSDT');
    expect(t.openTime).toBe(T0 + 30 * MINUTE);
    expect([t.open.toString(), t.high.toString(), t.low.toString(), t.last.toString()]).toEqual([
      '3000',
      '3300',
      '3000',
      '3200',
    ]);
    expect(t.volume.toString()).toBe('2');
    expect(t.count).toBe(1);
    expect(t.lastQty.toString()).toBe('2');
    expect(t.firstId).toBe(t.lastId);
    const quiet = engine.market.ticker('binanceFutures', 'ETHUSDT');
    expect(quiet).toMatchObject({ count: 0, firstId: -1, lastId: -1 });
  });

  it('aggregates trades by the rule given, and a reloaded state keeps its trades', () => {
    const { engine, clock } = engineAt(T0);
    engine.setPrice('BTCUSDT', '60000');
    engine.setDepth('BTCUSDT', { qty: '0.01', step: '1' });
    engine.spot.place('a', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: dec('0.025'),
      clientOrderId: 'x',
    });
    clock.now += 50;
    engine.spot.place('a', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: dec('0.005'),
      clientOrderId: 'y',
    });
    const trades = engine.market.recentTrades('binanceSpot', 'BTCUSDT', { limit: 10 });
    expect(trades.map((t) => [t.price, t.qty, t.takerSide, t.isBuyerMaker])).toEqual([
      ['60000', '0.01', 'BUY', false],
      ['60001', '0.01', 'BUY', false],
      ['60002', '0.005', 'BUY', false],
      ['60000', '0.005', 'BUY', false],
    ]);
    const samePrice = (a: PublicTrade, b: PublicTrade): boolean => a.price === b.price;
    const byOrder = (a: PublicTrade, b: PublicTrade): boolean => a.orderId === b.orderId;
    expect(engine.market.aggregateTrades('binanceSpot', 'BTCUSDT', { limit: 10 }, samePrice)).toHaveLength(4);
    const grouped = engine.market.aggregateTrades('binanceSpot', 'BTCUSDT', { limit: 10 }, byOrder);
    expect(grouped.map((a) => [a.qty, a.lastId - a.firstId])).toEqual([
      ['0.025', 2],
      ['0.005', 0],
    ]);

    const reloaded = new Engine(emptyState(), () => clock.now);
    reloaded.load(JSON.parse(JSON.stringify(engine.state)) as typeof engine.state);
    expect(reloaded.market.recentTrades('binanceSpot', 'BTCUSDT', { limit: 10 })).toEqual(trades);
    const book = reloaded.market.book('binanceSpot', 'BTCUSDT', 2);
    expect(book.asks.map(([p, q]) => [p.toString(), q.toString()])).toEqual([
      ['60000', '0.01'],
      ['60001', '0.01'],
    ]);
  });

  it('a resting order that fills is the maker: the book took, buyer is maker', () => {
    const { engine } = engineAt(T0);
    engine.setPrice('BTCUSDT', '60000');
    engine.spot.place('a', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      price: dec('59000'),
      quantity: dec('0.01'),
      clientOrderId: 'rest',
    });
    engine.setPrice('BTCUSDT', '58900');
    const [trade] = engine.market.recentTrades('binanceSpot', 'BTCUSDT', { limit: 1 });
    expect(trade).toMatchObject({ price: '59000', takerSide: 'SELL', isBuyerMaker: true });
  });

  it('calendar intervals: weeks open on Monday, months on the 1st, an offset moves both', () => {
    const t = Date.UTC(2026, 2, 4, 10); // Wednesday 4 March 2026
    expect(new Date(weekInterval().floor(t)).toISOString()).toBe('2026-03-02T00:00:00.000Z');
    expect(new Date(monthInterval().floor(t)).toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(new Date(monthInterval().next(monthInterval().floor(t))).toISOString()).toBe('2026-04-01T00:00:00.000Z');
    const utc8 = 8 * 3_600_000;
    expect(new Date(fixedInterval(86_400_000, utc8).floor(t)).toISOString()).toBe('2026-03-03T16:00:00.000Z');
    expect(new Date(weekInterval(utc8).floor(t)).toISOString()).toBe('2026-03-01T16:00:00.000Z');
    expect(new Date(monthInterval(utc8).floor(Date.UTC(2026, 2, 31, 20))).toISOString()).toBe(
      '2026-03-31T16:00:00.000Z',
    );
  });
});
