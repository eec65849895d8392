import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Order, Trade } from 'ccxt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { binanceKey, binanceSpot, type BinanceUsdmClient } from './ccxt-clients.ts';
import { EmulatorHarness, eventually, idOf, settle } from './harness.ts';

/**
 * Limited book depth through real ccxt clients: resting orders filled in parts by price moves,
 * market orders sweeping levels, IOC / FOK against the crossing levels, on Binance spot, USDT-M
 * and Bitget spot, and the control surface that sets it.
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

const BTC_PERP = 'BTC/USDT:USDT';
const ETH_PERP = 'ETH/USDT:USDT';

/** The raw exchange payload ccxt keeps on an order or trade. */
function info(item: Order | Trade): Record<string, unknown> {
  return item.info as Record<string, unknown>;
}

/** Trades in the order the exchange made them (ccxt sorts by timestamp, equal within a sweep). */
function byId(trades: Trade[]): Trade[] {
  return [...trades].sort((a, b) => (BigInt(a.id ?? '0') < BigInt(b.id ?? '0') ? -1 : 1));
}

/** Calls a ccxt watch method until `count` items arrived (each call returns only the new ones). */
async function collect<T>(watch: () => Promise<T[]>, count: number): Promise<T[]> {
  const seen: T[] = [];
  while (seen.length < count) seen.push(...(await watch()));
  return seen;
}

/**
 * Copies of the raw payload of every order update a watch delivers, until the client closes
 * (ccxt updates its cached orders in place, so only a copy keeps an intermediate state).
 */
function recordOrders(watch: () => Promise<Order[]>): Record<string, unknown>[] {
  const seen: Record<string, unknown>[] = [];
  void (async () => {
    for (;;) for (const order of await watch()) seen.push({ ...info(order) });
  })().catch(() => undefined);
  return seen;
}

async function control(method: string, route: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${h.em.httpUrl}/_control/${route}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: await res.json() };
}

describe('Binance spot with limited depth', () => {
  it('fills a resting limit order in two parts on two price moves, streaming PARTIALLY_FILLED before FILLED', async () => {
    const acct = h.binanceAccount({ USDT: '1000' });
    const ex = acct.spot();
    h.em.setPrice('BTCUSDT', '60000');
    h.em.setDepth('BTCUSDT', { qty: '0.004' });
    const firstTrade = ex.watchMyTrades('BTC/USDT');
    await eventually(() => expect(h.em.connectedStreams(acct.id)).toBe(1));
    const placed = ex.watchOrders('BTC/USDT');
    const order = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.006, 59000, { clientOrderId: 'part-1' });
    expect((await placed).at(-1)).toMatchObject({ id: order.id, status: 'open', filled: 0 });

    const partial = ex.watchOrders('BTC/USDT');
    h.em.setPrice('BTCUSDT', '58900');
    const [update] = await partial;
    expect(update).toMatchObject({ id: order.id, status: 'open', filled: 0.004, remaining: 0.002 });
    expect(info(update as Order)).toMatchObject({
      x: 'TRADE',
      X: 'PARTIALLY_FILLED',
      z: '0.00400000',
      l: '0.00400000',
      L: '59000.00000000',
      m: true,
    });
    const [trade] = await firstTrade;
    expect(trade).toMatchObject({ order: order.id, amount: 0.004, price: 59000, takerOrMaker: 'maker' });
    expect(info(update as Order)['t']).toBe(Number(trade?.id));

    expect(await ex.fetchOrder(idOf(order), 'BTC/USDT')).toMatchObject({
      status: 'open',
      filled: 0.004,
      remaining: 0.002,
      average: 59000,
    });
    const [open] = await ex.fetchOpenOrders('BTC/USDT');
    expect(open).toMatchObject({ id: order.id, filled: 0.004 });
    expect(info(open as Order)['status']).toBe('PARTIALLY_FILLED');
    // 0.004 × 59000 = 236 spent; the unfilled 0.002 × 59000 = 118 stays locked.
    expect(h.em.balances(acct.id).spot['USDT']).toEqual({ free: '646', locked: '118' });

    const final = ex.watchOrders('BTC/USDT');
    h.em.setPrice('BTCUSDT', '58800');
    const [done] = await final;
    expect(done).toMatchObject({ id: order.id, status: 'closed', filled: 0.006, remaining: 0 });
    expect(info(done as Order)).toMatchObject({ X: 'FILLED', z: '0.00600000', l: '0.00200000' });

    const trades = byId(await ex.fetchMyTrades('BTC/USDT'));
    expect(trades.map((t) => [t.amount, t.price, t.takerOrMaker])).toEqual([
      [0.004, 59000, 'maker'],
      [0.002, 59000, 'maker'],
    ]);
    expect(h.em.balances(acct.id).spot).toMatchObject({
      USDT: { free: '646', locked: '0' },
      BTC: { free: '0.005994', locked: '0' },
    });
  });

  it('cancels after a partial fill: the executed part stays, the rest of the locked quote is released', async () => {
    const acct = h.binanceAccount({ USDT: '1000' });
    const ex = acct.spot();
    h.em.setPrice('BTCUSDT', '60000');
    h.em.setDepth('BTCUSDT', { qty: '0.004' });
    const order = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 59000);
    expect(h.em.balances(acct.id).spot['USDT']).toEqual({ free: '410', locked: '590' });
    h.em.setPrice('BTCUSDT', '58900');
    expect(h.em.balances(acct.id).spot['USDT']).toEqual({ free: '410', locked: '354' });

    const watching = ex.watchOrders('BTC/USDT');
    await eventually(() => expect(h.em.connectedStreams(acct.id)).toBe(1));
    const canceled = await ex.cancelOrder(idOf(order), 'BTC/USDT');
    expect(canceled).toMatchObject({ status: 'canceled', filled: 0.004 });
    expect(info((await watching).at(-1) as Order)).toMatchObject({ x: 'CANCELED', X: 'CANCELED', z: '0.00400000' });
    expect(await ex.fetchOrder(idOf(order), 'BTC/USDT')).toMatchObject({
      status: 'canceled',
      filled: 0.004,
      cost: 236,
    });
    expect(h.em.balances(acct.id).spot).toMatchObject({
      USDT: { free: '764', locked: '0' },
      BTC: { free: '0.003996', locked: '0' },
    });
    expect(await ex.fetchMyTrades('BTC/USDT')).toHaveLength(1);
  });

  it('sweeps a market buy over several levels at rising prices, with one fill per level', async () => {
    const acct = h.binanceAccount({ USDT: '1000' });
    const ex = acct.spot();
    h.em.setPrice('BTCUSDT', '60000');
    h.em.setDepth('BTCUSDT', { qty: '0.004', step: '10' });
    const streamed = collect(() => ex.watchMyTrades('BTC/USDT'), 3);
    await eventually(() => expect(h.em.connectedStreams(acct.id)).toBe(1));
    const order = await ex.createOrder('BTC/USDT', 'market', 'buy', 0.01);
    // 0.004 × 60000 + 0.004 × 60010 + 0.002 × 60020 = 600.08
    expect(order).toMatchObject({ status: 'closed', filled: 0.01, cost: 600.08, average: 60008 });
    expect((info(order)['fills'] as { price: string; qty: string }[]).map((f) => [f.price, f.qty])).toEqual([
      ['60000.00000000', '0.00400000'],
      ['60010.00000000', '0.00400000'],
      ['60020.00000000', '0.00200000'],
    ]);
    expect(order.fee).toEqual({ cost: 0.00001, currency: 'BTC' });

    const pushed = byId(await streamed);
    expect(pushed.map((t) => [t.price, t.amount, t.takerOrMaker])).toEqual([
      [60000, 0.004, 'taker'],
      [60010, 0.004, 'taker'],
      [60020, 0.002, 'taker'],
    ]);
    const fetched = byId(await ex.fetchMyTrades('BTC/USDT'));
    expect(fetched.map((t) => [t.order, t.price, t.amount])).toEqual([
      [order.id, 60000, 0.004],
      [order.id, 60010, 0.004],
      [order.id, 60020, 0.002],
    ]);
    expect(h.em.balances(acct.id).spot).toMatchObject({
      USDT: { free: '399.92', locked: '0' },
      BTC: { free: '0.00999', locked: '0' },
    });
    expect(h.em.price('BTCUSDT')).toBe('60000');
  });

  it('sweeps a market sell down the levels and a quote-sized buy until the rest buys less than a lot', async () => {
    const acct = h.binanceAccount({ USDT: '1000', BTC: '0.01' });
    const ex = acct.spot();
    h.em.setPrice('BTCUSDT', '60000');
    h.em.setDepth('BTCUSDT', { qty: '0.004', step: '10' });
    const sell = await ex.createOrder('BTC/USDT', 'market', 'sell', 0.009);
    // 0.004 × 60000 + 0.004 × 59990 + 0.001 × 59980 = 539.94
    expect(sell).toMatchObject({ status: 'closed', filled: 0.009, cost: 539.94 });
    expect(sell.average).toBeCloseTo(539.94 / 0.009, 6);

    const buy = await ex.createOrder('BTC/USDT', 'market', 'buy', 0, undefined, { cost: 500 });
    // 0.004 @ 60000 (240), 0.004 @ 60010 (240.04), then 19.96 left buys 0.00033 @ 60020 (19.8066)
    expect(buy).toMatchObject({ status: 'closed', filled: 0.00833, cost: 499.8466 });
    expect(info(buy)).toMatchObject({ origQuoteOrderQty: '500.00000000', executedQty: '0.00833000' });
    expect(
      byId(await ex.fetchMyTrades('BTC/USDT', undefined, undefined, { orderId: buy.id })).map((t) => t.price),
    ).toEqual([60000, 60010, 60020]);
    // 1000 + 539.94 − 0.53994 fee − 499.8466
    expect(h.em.balances(acct.id).spot['USDT']).toEqual({ free: '1039.55346', locked: '0' });
  });

  it('takes the crossing levels of a limit order and rests the rest; IOC expires it, FOK kills it whole', async () => {
    const acct = h.binanceAccount({ USDT: '3000' });
    const ex = acct.spot();
    h.em.setPrice('BTCUSDT', '60000');
    h.em.setDepth('BTCUSDT', { qty: '0.004', step: '10' });

    const ioc = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 60010, { timeInForce: 'IOC' });
    expect(ioc).toMatchObject({ status: 'expired', filled: 0.008, remaining: 0.002, cost: 480.04, average: 60005 });
    expect(h.em.balances(acct.id).spot['USDT']).toEqual({ free: '2519.96', locked: '0' });

    const fok = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 60010, { timeInForce: 'FOK' });
    expect(fok).toMatchObject({ status: 'expired', filled: 0 });
    expect(info(fok)['fills']).toEqual([]);
    expect(h.em.balances(acct.id).spot['USDT']).toEqual({ free: '2519.96', locked: '0' });
    const enough = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.008, 60010, { timeInForce: 'FOK' });
    expect(enough).toMatchObject({ status: 'closed', filled: 0.008, cost: 480.04 });

    const gtc = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 60010);
    expect(gtc).toMatchObject({ status: 'open', filled: 0.008, remaining: 0.002 });
    expect(info(gtc)['status']).toBe('PARTIALLY_FILLED');
    // What is left rests at its limit price: 0.002 × 60010 locked.
    expect(h.em.balances(acct.id).spot['USDT']).toEqual({ free: '1439.86', locked: '120.02' });
    h.em.setPrice('BTCUSDT', '60005');
    expect(await ex.fetchOrder(idOf(gtc), 'BTC/USDT')).toMatchObject({ status: 'closed', filled: 0.01, cost: 600.06 });
    const lastTrade = byId(await ex.fetchMyTrades('BTC/USDT')).at(-1);
    expect(lastTrade).toMatchObject({ order: gtc.id, price: 60010, amount: 0.002, takerOrMaker: 'maker' });
    expect(h.em.balances(acct.id).spot['USDT']).toEqual({ free: '1439.86', locked: '0' });
  });

  it('leaves LIMIT_MAKER rules alone and fills whole again once the depth is cleared', async () => {
    const acct = h.binanceAccount({ USDT: '1000' });
    const ex = acct.spot();
    h.em.setPrice('BTCUSDT', '60000');
    h.em.setDepth('BTCUSDT', { qty: '0.001' });
    const maker = ex.createOrder('BTC/USDT', 'limit', 'buy', 0.005, 60010, { postOnly: true });
    await expect(maker).rejects.toThrow(/would immediately match and take/);
    // A LIMIT_MAKER that does not cross rests, and fills in parts like any resting order.
    const resting = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.002, 59990, { postOnly: true });
    h.em.setPrice('BTCUSDT', '59990');
    expect(await ex.fetchOrder(idOf(resting), 'BTC/USDT')).toMatchObject({ status: 'open', filled: 0.001 });
    h.em.setPrice('BTCUSDT', '60000');
    h.em.clearDepth('BTCUSDT');
    const whole = await ex.createOrder('BTC/USDT', 'market', 'buy', 0.005);
    expect(whole).toMatchObject({ status: 'closed', filled: 0.005, average: 60000 });
    expect(whole.trades).toHaveLength(1);
    h.em.setPrice('BTCUSDT', '59980');
    expect(await ex.fetchOrder(idOf(resting), 'BTC/USDT')).toMatchObject({ status: 'closed', filled: 0.002 });
  });
});

async function hedged(usdt = '10000'): Promise<{ id: string; ex: BinanceUsdmClient }> {
  const acct = h.binanceAccount({}, { USDT: usdt });
  const ex = acct.usdm();
  await ex.setPositionMode(true);
  return { id: acct.id, ex };
}

describe('Binance USDT-M with limited depth', () => {
  it('hedge mode: fills a resting LONG limit in two parts, ORDER_TRADE_UPDATE PARTIALLY_FILLED then FILLED', async () => {
    const { id, ex } = await hedged();
    h.em.setPrice('BTCUSDT', '60000');
    h.em.setDepth('BTCUSDT', { qty: '0.005' });
    const placed = ex.watchOrders(BTC_PERP);
    await eventually(() => expect(h.em.connectedStreams(id)).toBe(1));
    const order = await ex.createOrder(BTC_PERP, 'limit', 'buy', 0.01, 59500, { positionSide: 'LONG' });
    expect((await placed).at(-1)).toMatchObject({ id: order.id, status: 'open', filled: 0 });

    const partial = ex.watchOrders(BTC_PERP);
    h.em.setPrice('BTCUSDT', '59400');
    const [update] = await partial;
    expect(update).toMatchObject({ id: order.id, status: 'open', filled: 0.005, remaining: 0.005, average: 59500 });
    expect(info(update as Order)).toMatchObject({
      x: 'TRADE',
      X: 'PARTIALLY_FILLED',
      z: '0.005',
      l: '0.005',
      L: '59500',
      ap: '59500',
      m: true,
    });
    expect(await ex.fetchOrder(idOf(order), BTC_PERP)).toMatchObject({ status: 'open', filled: 0.005 });
    expect((await ex.fetchOpenOrders(BTC_PERP)).map((o) => [o.id, o.filled])).toEqual([[order.id, 0.005]]);
    expect(h.em.positions(id)).toMatchObject([{ positionSide: 'LONG', positionAmt: '0.005', entryPrice: '59500' }]);

    const final = ex.watchOrders(BTC_PERP);
    h.em.setPrice('BTCUSDT', '59300');
    const [done] = await final;
    expect(done).toMatchObject({ id: order.id, status: 'closed', filled: 0.01, average: 59500 });
    expect(info(done as Order)).toMatchObject({ X: 'FILLED', z: '0.010', l: '0.005' });
    const trades = byId(await ex.fetchMyTrades(BTC_PERP));
    expect(trades.map((t) => [t.amount, t.price, t.takerOrMaker, t.fee?.cost])).toEqual([
      [0.005, 59500, 'maker', 0.0595],
      [0.005, 59500, 'maker', 0.0595],
    ]);
    expect(h.em.positions(id)).toMatchObject([{ positionSide: 'LONG', positionAmt: '0.01', entryPrice: '59500' }]);
    expect(h.em.balances(id).futures['USDT']?.wallet).toBe('9999.881');
  });

  it('hedge mode: sweeps market orders over the levels, averaging the entry and booking PnL per trade', async () => {
    const { id, ex } = await hedged();
    h.em.setPrice('BTCUSDT', '60000');
    h.em.setDepth('BTCUSDT', { qty: '0.004', step: '5' });
    const open = await ex.createOrder(BTC_PERP, 'market', 'buy', 0.01, undefined, { positionSide: 'LONG' });
    // 0.004 × 60000 + 0.004 × 60005 + 0.002 × 60010 = 600.04
    expect(open).toMatchObject({ status: 'closed', filled: 0.01, average: 60004, cost: 600.04 });
    expect(h.em.positions(id)).toMatchObject([{ positionSide: 'LONG', positionAmt: '0.01', entryPrice: '60004' }]);
    const opened = byId(await ex.fetchMyTrades(BTC_PERP));
    expect(opened.map((t) => [t.price, t.amount, t.takerOrMaker])).toEqual([
      [60000, 0.004, 'taker'],
      [60005, 0.004, 'taker'],
      [60010, 0.002, 'taker'],
    ]);

    const close = await ex.createOrder(BTC_PERP, 'market', 'sell', 0.01, undefined, { positionSide: 'LONG' });
    expect(close).toMatchObject({ status: 'closed', filled: 0.01, average: 59996 });
    expect(h.em.positions(id)).toEqual([]);
    const closing = byId(await ex.fetchMyTrades(BTC_PERP)).slice(3);
    expect(closing.map((t) => [t.price, (info(t) as { realizedPnl: string }).realizedPnl])).toEqual([
      [60000, '-0.01600000'],
      [59995, '-0.03600000'],
      [59990, '-0.02800000'],
    ]);
    // fees 0.04% of 600.04 and of 599.96 = 0.48; realized −0.08
    expect(h.em.balances(id).futures['USDT']?.wallet).toBe('9999.44');
  });

  it('hedge mode: cancels a partly filled SHORT, keeping the executed part and its position', async () => {
    const { id, ex } = await hedged();
    h.em.setPrice('BTCUSDT', '60000');
    h.em.setDepth('BTCUSDT', { qty: '0.004' });
    const order = await ex.createOrder(BTC_PERP, 'limit', 'sell', 0.01, 60500, { positionSide: 'SHORT' });
    h.em.setPrice('BTCUSDT', '60600');
    const canceled = await ex.cancelOrder(idOf(order), BTC_PERP);
    expect(canceled).toMatchObject({ status: 'canceled', filled: 0.004 });
    expect(await ex.fetchOrder(idOf(order), BTC_PERP)).toMatchObject({ status: 'canceled', filled: 0.004 });
    expect(await ex.fetchOpenOrders(BTC_PERP)).toEqual([]);
    expect(h.em.positions(id)).toMatchObject([{ positionSide: 'SHORT', positionAmt: '-0.004', entryPrice: '60500' }]);
    h.em.setPrice('BTCUSDT', '60700');
    expect(h.em.positions(id)[0]?.positionAmt).toBe('-0.004');
  });

  it('one-way mode: a reduceOnly order filled in parts stops at a closed position and never flips it', async () => {
    const acct = h.binanceAccount({}, { USDT: '10000' });
    const ex = acct.usdm();
    h.em.setPrice('ETHUSDT', '3000');
    h.em.setDepth('ETHUSDT', { qty: '0.05', step: '1' });
    const open = await ex.createOrder(ETH_PERP, 'market', 'buy', 0.2);
    expect(open).toMatchObject({ status: 'closed', filled: 0.2, average: 3001.5 });
    expect(h.em.positions(acct.id)).toMatchObject([{ positionSide: 'BOTH', positionAmt: '0.2', entryPrice: '3001.5' }]);

    const resting = await ex.createOrder(ETH_PERP, 'limit', 'sell', 0.2, 3100, { reduceOnly: true });
    const reduced = await ex.createOrder(ETH_PERP, 'market', 'sell', 0.1, undefined, { reduceOnly: true });
    expect(reduced).toMatchObject({ status: 'closed', filled: 0.1, average: 2999.5 });
    expect(h.em.positions(acct.id)[0]?.positionAmt).toBe('0.1');

    h.em.setPrice('ETHUSDT', '3100');
    expect(await ex.fetchOrder(idOf(resting), ETH_PERP)).toMatchObject({ status: 'open', filled: 0.05 });
    expect(h.em.positions(acct.id)[0]?.positionAmt).toBe('0.05');
    h.em.setPrice('ETHUSDT', '3101');
    // The position is closed: the order is done although only 0.1 of its 0.2 traded.
    expect(await ex.fetchOrder(idOf(resting), ETH_PERP)).toMatchObject({ status: 'closed', filled: 0.1 });
    h.em.setPrice('ETHUSDT', '3102');
    expect(h.em.positions(acct.id)).toEqual([]);
  });

  it('one-way mode: IOC keeps the crossing levels and expires the rest; FOK without the depth fills nothing', async () => {
    const acct = h.binanceAccount({}, { USDT: '10000' });
    const ex = acct.usdm();
    h.em.setPrice('ETHUSDT', '3000');
    h.em.setDepth('ETHUSDT', { qty: '0.05', step: '1' });
    const seen = recordOrders(() => ex.watchOrders(ETH_PERP));
    await eventually(() => expect(h.em.connectedStreams(acct.id)).toBe(1));
    const ioc = await ex.createOrder(ETH_PERP, 'limit', 'buy', 0.2, 3001, { timeInForce: 'IOC' });
    expect(ioc).toMatchObject({ status: 'expired', filled: 0.1, remaining: 0.1, average: 3000.5 });
    await eventually(() =>
      expect(seen.at(-1)).toMatchObject({ i: Number(ioc.id), x: 'EXPIRED', X: 'EXPIRED', z: '0.100', ap: '3000.5' }),
    );
    expect(h.em.positions(acct.id)).toMatchObject([{ positionAmt: '0.1', entryPrice: '3000.5' }]);

    const fok = await ex.createOrder(ETH_PERP, 'limit', 'buy', 0.2, 3001, { timeInForce: 'FOK' });
    expect(fok).toMatchObject({ status: 'expired', filled: 0 });
    expect(await ex.fetchMyTrades(ETH_PERP, undefined, undefined, { orderId: fok.id })).toEqual([]);
    expect(h.em.positions(acct.id)[0]?.positionAmt).toBe('0.1');
  });
});

describe('Bitget spot with limited depth', () => {
  it('fills a resting limit order in two parts: orders pushes partially_filled then filled, fill one per trade', async () => {
    const acct = h.bitgetAccount({ USDT: '1000' });
    const ex = acct.client();
    h.em.setPrice('BTCUSDT', '50000');
    h.em.setDepth('BTCUSDT', { qty: '0.004' });
    const placed = ex.watchOrders('BTC/USDT');
    const firstTrade = ex.watchMyTrades('BTC/USDT');
    await eventually(() => expect(h.em.connectedStreams(acct.id)).toBe(1));
    await settle(100);
    const order = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.006, 49000);
    expect((await placed).at(-1)).toMatchObject({ id: order.id, status: 'open' });

    const partial = ex.watchOrders('BTC/USDT');
    h.em.setPrice('BTCUSDT', '48900');
    const [update] = await partial;
    expect(update).toMatchObject({ id: order.id, status: 'open', remaining: 0.002 });
    expect(info(update as Order)).toMatchObject({
      status: 'partially_filled',
      accBaseVolume: '0.004',
      baseVolume: '0.004',
      fillPrice: '49000',
      tradeScope: 'M',
    });
    const [trade] = await firstTrade;
    expect(trade).toMatchObject({ order: order.id, amount: 0.004, price: 49000, takerOrMaker: 'maker' });
    expect(await ex.fetchOrder(idOf(order), 'BTC/USDT')).toMatchObject({
      status: 'open',
      filled: 0.004,
      average: 49000,
    });
    expect((await ex.fetchOpenOrders('BTC/USDT')).map((o) => [o.id, o.filled])).toEqual([[order.id, 0.004]]);
    expect((await ex.fetchBalance())['USDT']).toMatchObject({ free: 706, used: 98 });

    const final = ex.watchOrders('BTC/USDT');
    const secondTrade = ex.watchMyTrades('BTC/USDT');
    h.em.setPrice('BTCUSDT', '48800');
    const [done] = await final;
    expect(done).toMatchObject({ id: order.id, status: 'closed', remaining: 0 });
    expect(info(done as Order)).toMatchObject({ status: 'filled', accBaseVolume: '0.006', baseVolume: '0.002' });
    expect((await secondTrade).at(-1)).toMatchObject({ amount: 0.002, price: 49000 });
    const trades = byId(await ex.fetchMyTrades('BTC/USDT'));
    expect(trades.map((t) => [t.amount, t.price])).toEqual([
      [0.004, 49000],
      [0.002, 49000],
    ]);
    expect(h.em.balances(acct.id).spot).toMatchObject({
      USDT: { free: '706', locked: '0' },
      BTC: { free: '0.005994', locked: '0' },
    });
  });

  it('cancels after a partial fill, releasing the rest of the locked quote', async () => {
    const acct = h.bitgetAccount({ USDT: '1000' });
    const ex = acct.client();
    h.em.setPrice('BTCUSDT', '50000');
    h.em.setDepth('BTCUSDT', { qty: '0.004' });
    const order = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 49000);
    h.em.setPrice('BTCUSDT', '48900');
    expect(h.em.balances(acct.id).spot['USDT']).toEqual({ free: '510', locked: '294' });
    await ex.cancelOrder(idOf(order), 'BTC/USDT');
    expect(await ex.fetchOrder(idOf(order), 'BTC/USDT')).toMatchObject({
      status: 'canceled',
      filled: 0.004,
      cost: 196,
    });
    expect(h.em.balances(acct.id).spot).toMatchObject({
      USDT: { free: '804', locked: '0' },
      BTC: { free: '0.003996', locked: '0' },
    });
  });

  it('sweeps a market buy by quote amount over several levels, one fill push per trade', async () => {
    const acct = h.bitgetAccount({ USDT: '1000' });
    const ex = acct.client();
    h.em.setPrice('BTCUSDT', '50000');
    h.em.setDepth('BTCUSDT', { qty: '0.004', step: '10' });
    const streamed = collect(() => ex.watchMyTrades('BTC/USDT'), 3);
    await eventually(() => expect(h.em.connectedStreams(acct.id)).toBe(1));
    await settle(100);
    const placed = await ex.createMarketBuyOrderWithCost('BTC/USDT', 500);
    // 0.004 @ 50000 (200) + 0.004 @ 50010 (200.04) + 0.001998 @ 50020 (99.93996); 0.02004 left buys nothing
    const order = await ex.fetchOrder(idOf(placed), 'BTC/USDT');
    expect(order).toMatchObject({ status: 'closed', filled: 0.009998, cost: 499.97996 });
    expect(order.average).toBeCloseTo(499.97996 / 0.009998, 6);
    const pushed = byId(await streamed);
    expect(pushed.map((t) => [t.price, t.amount])).toEqual([
      [50000, 0.004],
      [50010, 0.004],
      [50020, 0.001998],
    ]);
    const fetched = byId(await ex.fetchMyTrades('BTC/USDT'));
    expect(fetched.map((t) => [t.order, t.price, t.amount, t.takerOrMaker])).toEqual([
      [placed.id, 50000, 0.004, 'taker'],
      [placed.id, 50010, 0.004, 'taker'],
      [placed.id, 50020, 0.001998, 'taker'],
    ]);
    expect(h.em.balances(acct.id).spot['USDT']).toEqual({ free: '500.02004', locked: '0' });
  });

  it('IOC keeps the crossing levels and cancels the rest; FOK without the depth fills nothing', async () => {
    const acct = h.bitgetAccount({ USDT: '2000' });
    const ex = acct.client();
    h.em.setPrice('BTCUSDT', '50000');
    h.em.setDepth('BTCUSDT', { qty: '0.004', step: '10' });
    const ioc = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 50010, { timeInForce: 'IOC' });
    expect(await ex.fetchOrder(idOf(ioc), 'BTC/USDT')).toMatchObject({
      status: 'canceled',
      filled: 0.008,
      cost: 400.04,
      average: 50005,
    });
    expect(h.em.balances(acct.id).spot['USDT']).toEqual({ free: '1599.96', locked: '0' });
    const fok = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 50010, { timeInForce: 'FOK' });
    expect(await ex.fetchOrder(idOf(fok), 'BTC/USDT')).toMatchObject({ status: 'canceled', filled: 0 });
    expect(h.em.balances(acct.id).spot['USDT']).toEqual({ free: '1599.96', locked: '0' });
  });
});

describe('depth on the control surface', () => {
  it('sets, lists and clears depth per symbol over HTTP, and the books follow it', async () => {
    expect((await control('POST', 'depth', { symbol: 'SOLUSDT', qty: '2', step: '0.5' })).json).toEqual({
      symbol: 'SOLUSDT',
      qty: '2',
      step: '0.5',
    });
    expect((await control('POST', 'depth', { symbol: 'ETHUSDT', qty: 0.25 })).json).toEqual({
      symbol: 'ETHUSDT',
      qty: '0.25',
    });
    expect((await control('GET', 'depth')).json).toEqual([
      { symbol: 'SOLUSDT', qty: '2', step: '0.5' },
      { symbol: 'ETHUSDT', qty: '0.25' },
    ]);
    expect(h.em.depth()).toEqual({ SOLUSDT: { qty: '2', step: '0.5' }, ETHUSDT: { qty: '0.25' } });

    const acct = h.binanceAccount({ USDT: '2000' });
    const ex = acct.spot();
    h.em.setPrice('SOLUSDT', '150');
    // 2 @ 150 + 2 @ 150.5 + 1 @ 151 = 752
    expect(await ex.createOrder('SOL/USDT', 'market', 'buy', 5)).toMatchObject({ cost: 752, average: 150.4 });

    expect((await control('DELETE', 'depth/SOLUSDT')).json).toEqual([{ symbol: 'ETHUSDT', qty: '0.25' }]);
    const whole = await ex.createOrder('SOL/USDT', 'market', 'buy', 5);
    expect(whole).toMatchObject({ cost: 750, average: 150 });
    expect(whole.trades).toHaveLength(1);
    expect((await control('DELETE', 'depth')).json).toEqual([]);
    expect(h.em.depth()).toEqual({});
  });

  it('refuses an unknown symbol and a quantity or step that is not a positive decimal', async () => {
    expect((await control('POST', 'depth', { symbol: 'DOGEUSDT', qty: '1' })).status).toBe(400);
    expect((await control('POST', 'depth', { symbol: 'BTCUSDT', qty: '-1' })).status).toBe(400);
    expect((await control('POST', 'depth', { symbol: 'BTCUSDT', qty: 'lots' })).status).toBe(400);
    expect((await control('POST', 'depth', { symbol: 'BTCUSDT', qty: '1', step: '0' })).status).toBe(400);
    expect((await control('POST', 'depth', { qty: '1' })).status).toBe(400);
    expect((await control('DELETE', 'depth/DOGEUSDT')).status).toBe(400);
    expect((await control('GET', 'depth')).json).toEqual([]);
  });
});

describe('depth in the persisted state', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hedgestack-depth-'));
  const stateFile = path.join(dir, 'emulator.json');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the depth and a partly filled order across a restart; the order goes on filling', async () => {
    const creds = { apiKey: binanceKey('depthkeep'), secret: 'depth-keep-secret' };
    const first = await EmulatorHarness.start({ stateFile });
    first.em.createAccount({ id: 'depth-keeper', exchange: 'binance', ...creds, spot: { USDT: '1000' } });
    first.em.setPrice('ETHUSDT', '3000');
    first.em.setDepth('ETHUSDT', { qty: '0.1', step: '0.5' });
    const spot = first.track(binanceSpot(first.em, creds));
    const order = await spot.createOrder('ETH/USDT', 'limit', 'buy', 0.25, 2900);
    first.em.setPrice('ETHUSDT', '2899');
    await first.close();

    const second = await EmulatorHarness.start({ stateFile });
    try {
      expect(second.em.depth()).toEqual({ ETHUSDT: { qty: '0.1', step: '0.5' } });
      const again = second.track(binanceSpot(second.em, creds));
      expect(await again.fetchOrder(idOf(order), 'ETH/USDT')).toMatchObject({ status: 'open', filled: 0.1 });
      second.em.setPrice('ETHUSDT', '2898');
      expect(await again.fetchOrder(idOf(order), 'ETH/USDT')).toMatchObject({ status: 'open', filled: 0.2 });
      second.em.setPrice('ETHUSDT', '2897');
      expect(await again.fetchOrder(idOf(order), 'ETH/USDT')).toMatchObject({ status: 'closed', filled: 0.25 });
      expect(second.em.balances('depth-keeper').spot['USDT']).toEqual({ free: '275', locked: '0' });
    } finally {
      await second.close();
    }
  });
});
