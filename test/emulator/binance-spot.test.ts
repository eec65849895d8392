import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorHarness, idOf } from './harness.ts';

let h: EmulatorHarness;

beforeAll(async () => {
  h = await EmulatorHarness.start();
});
afterAll(async () => {
  await h.close();
});

describe('Binance spot REST through ccxt', () => {
  it('loads markets with one request and exposes the exchange filters', async () => {
    const ex = h.binanceAccount().spot();
    h.em.resetRequests();
    await ex.loadMarkets();
    expect(h.em.requests()).toEqual({ 'GET /api/v3/exchangeInfo': 1 });
    const btc = ex.market('BTC/USDT');
    expect(btc.precision.amount).toBe(0.00001);
    expect(btc.precision.price).toBe(0.01);
    expect(btc.limits.cost?.min).toBe(5);
  });

  it('fetches free and locked balances', async () => {
    const ex = h.binanceAccount({ USDT: '1234.5', BTC: '0.1' }).spot();
    const balance = await ex.fetchBalance();
    expect(balance['USDT']).toMatchObject({ free: 1234.5, used: 0, total: 1234.5 });
    expect(balance['BTC']?.free).toBe(0.1);
  });

  it('market-buys by quote amount (quoteOrderQty) and charges 0.1% in the received asset', async () => {
    const acct = h.binanceAccount({ USDT: '1000' });
    const ex = acct.spot();
    h.em.setPrice('BTCUSDT', '50000');
    const order = await ex.createOrder('BTC/USDT', 'market', 'buy', 0, undefined, { cost: 100 });
    expect(order.status).toBe('closed');
    expect(order.filled).toBe(0.002);
    expect(order.cost).toBe(100);
    expect(order.fee).toEqual({ cost: 0.000002, currency: 'BTC' });
    expect(h.em.balances(acct.id).spot).toMatchObject({
      USDT: { free: '900', locked: '0' },
      BTC: { free: '0.001998', locked: '0' },
    });
  });

  it('market-sells by base quantity', async () => {
    const acct = h.binanceAccount({ USDT: '0', ETH: '1' });
    const ex = acct.spot();
    h.em.setPrice('ETHUSDT', '3000');
    const order = await ex.createOrder('ETH/USDT', 'market', 'sell', 0.5);
    expect(order).toMatchObject({ status: 'closed', filled: 0.5, cost: 1500, side: 'sell' });
    expect(h.em.balances(acct.id).spot['USDT']?.free).toBe('1498.5');
  });

  it('rests a limit order with its funds locked, fills it as maker when the price crosses, lists the trade', async () => {
    const acct = h.binanceAccount({ USDT: '1000' });
    const ex = acct.spot();
    h.em.setPrice('BTCUSDT', '60000');
    const order = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 59000, { clientOrderId: 'rest-1' });
    expect(order.status).toBe('open');
    expect((await ex.fetchBalance())['USDT']).toMatchObject({ free: 410, used: 590 });
    expect((await ex.fetchOpenOrders('BTC/USDT')).map((o) => o.id)).toEqual([order.id]);

    h.em.setPrice('BTCUSDT', '58950.5');
    const filled = await ex.fetchOrder(idOf(order), 'BTC/USDT');
    expect(filled).toMatchObject({ status: 'closed', filled: 0.01, average: 59000, clientOrderId: 'rest-1' });
    const trades = await ex.fetchMyTrades('BTC/USDT');
    expect(trades).toHaveLength(1);
    expect(trades[0]).toMatchObject({
      order: order.id,
      price: 59000,
      amount: 0.01,
      takerOrMaker: 'maker',
      side: 'buy',
    });
    expect(await ex.fetchOpenOrders('BTC/USDT')).toEqual([]);
  });

  it('cancels a resting order and releases its funds; a second cancel is OrderNotFound', async () => {
    const acct = h.binanceAccount({ USDT: '100' });
    const ex = acct.spot();
    h.em.setPrice('SOLUSDT', '150');
    const order = await ex.createOrder('SOL/USDT', 'limit', 'buy', 0.5, 100);
    const canceled = await ex.cancelOrder(idOf(order), 'SOL/USDT');
    expect(canceled.status).toBe('canceled');
    expect(h.em.balances(acct.id).spot['USDT']).toEqual({ free: '100', locked: '0' });
    await expect(ex.cancelOrder(idOf(order), 'SOL/USDT')).rejects.toThrow(ccxt.OrderNotFound);
  });

  it('finds an order by client order id and refuses a duplicate client order id', async () => {
    const ex = h.binanceAccount().spot();
    await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 10000, { clientOrderId: 'dup-1' });
    const found = await ex.fetchOrder('', 'BTC/USDT', { clientOrderId: 'dup-1' });
    expect(found.clientOrderId).toBe('dup-1');
    await expect(ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 10000, { clientOrderId: 'dup-1' })).rejects.toThrow(
      /Duplicate order sent/,
    );
    await expect(ex.fetchOrder('999', 'BTC/USDT')).rejects.toThrow(ccxt.OrderNotFound);
  });

  it('rejects a quantity off the LOT_SIZE grid as InvalidOrder', async () => {
    const ex = h.binanceAccount().spot();
    // ccxt truncates amounts to the step itself, so the raw quantity goes in as a parameter.
    await expect(
      ex.createOrder('BTC/USDT', 'market', 'buy', 0.001, undefined, { quantity: '0.000015' }),
    ).rejects.toThrow(ccxt.InvalidOrder);
  });

  it('rejects an order under the NOTIONAL minimum with -1013 (ccxt: BadRequest on a local URL)', async () => {
    const ex = h.binanceAccount().spot();
    h.em.setPrice('BTCUSDT', '60000');
    const attempt = ex.createOrder('BTC/USDT', 'market', 'buy', 0.00005);
    await expect(attempt).rejects.toThrow(ccxt.BadRequest);
    await expect(attempt).rejects.toThrow(/-1013,"msg":"Filter failure: NOTIONAL"/);
  });

  it('rejects an order larger than the free balance as InsufficientFunds', async () => {
    const ex = h.binanceAccount({ USDT: '50' }).spot();
    await expect(ex.createOrder('BTC/USDT', 'market', 'buy', 0, undefined, { cost: 100 })).rejects.toThrow(
      ccxt.InsufficientFunds,
    );
    await expect(ex.createOrder('BTC/USDT', 'market', 'sell', 0.01)).rejects.toThrow(ccxt.InsufficientFunds);
  });
});
