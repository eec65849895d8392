import ccxt, { type Order } from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bitgetSpot } from './ccxt-clients.ts';
import { EmulatorHarness, eventually, idOf, outcome, settle } from './harness.ts';

let h: EmulatorHarness;

beforeAll(async () => {
  h = await EmulatorHarness.start();
});
afterAll(async () => {
  await h.close();
});

describe('Bitget spot v2 through ccxt', () => {
  it('loads spot markets without probing the unified account', async () => {
    const ex = h.bitgetAccount().client();
    h.em.resetRequests();
    await ex.loadMarkets();
    expect(h.em.requests()).toEqual({ 'GET /api/v2/spot/public/symbols': 1, 'GET /api/v2/margin/currencies': 1 });
    expect(ex.market('BTC/USDT')).toMatchObject({ spot: true, precision: { amount: 0.000001, price: 0.01 } });
  });

  it('market-buys by quote amount, then shows the fill in fetchOrder, fetchMyTrades and fetchBalance', async () => {
    const acct = h.bitgetAccount({ USDT: '1000' });
    const ex = acct.client();
    h.em.setPrice('BTCUSDT', '50000');
    const placed = await ex.createMarketBuyOrderWithCost('BTC/USDT', 100, { clientOrderId: 'bg-buy-1' });
    expect(placed.clientOrderId).toBe('bg-buy-1');
    const order = await ex.fetchOrder(idOf(placed), 'BTC/USDT');
    expect(order).toMatchObject({
      status: 'closed',
      filled: 0.002,
      cost: 100,
      average: 50000,
      side: 'buy',
      type: 'market',
    });
    expect(order.fee).toEqual({ cost: 0.000002, currency: 'BTC' });
    const [trade] = await ex.fetchMyTrades('BTC/USDT');
    expect(trade).toMatchObject({ order: placed.id, amount: 0.002, price: 50000, takerOrMaker: 'taker' });
    const balance = await ex.fetchBalance();
    expect(balance['USDT']).toMatchObject({ free: 900, used: 0 });
    expect(balance['BTC']?.free).toBe(0.001998);
  });

  it('market-sells by base size and finds the order by clientOid', async () => {
    const acct = h.bitgetAccount({ ETH: '1' });
    const ex = acct.client();
    h.em.setPrice('ETHUSDT', '3000');
    await ex.createOrder('ETH/USDT', 'market', 'sell', 0.25, undefined, { clientOrderId: 'bg-sell-1' });
    const order = await ex.fetchOrder('', 'ETH/USDT', { clientOrderId: 'bg-sell-1' });
    expect(order).toMatchObject({ status: 'closed', filled: 0.25, cost: 750 });
    expect(h.em.balances(acct.id).spot['USDT']?.free).toBe('749.25');
  });

  it('rests and cancels a limit order, listing it as open meanwhile', async () => {
    const ex = h.bitgetAccount({ USDT: '100' }).client();
    h.em.setPrice('SOLUSDT', '150');
    const order = await ex.createOrder('SOL/USDT', 'limit', 'buy', 0.5, 120);
    expect((await ex.fetchOpenOrders('SOL/USDT')).map((o) => o.id)).toEqual([order.id]);
    expect((await ex.fetchBalance())['USDT']).toMatchObject({ free: 40, used: 60 });
    await ex.cancelOrder(idOf(order), 'SOL/USDT');
    expect((await ex.fetchOrder(idOf(order), 'SOL/USDT')).status).toBe('canceled');
    await expect(ex.cancelOrder(idOf(order), 'SOL/USDT')).rejects.toThrow(ccxt.OrderNotFound);
  });

  it('refuses an order larger than the balance with 43012 (InsufficientFunds)', async () => {
    const ex = h.bitgetAccount({ USDT: '10' }).client();
    await expect(ex.createMarketBuyOrderWithCost('BTC/USDT', 50)).rejects.toThrow(ccxt.InsufficientFunds);
  });

  it('refuses an unknown key with 40006 and a wrong passphrase with 40012 (AuthenticationError)', async () => {
    const acct = h.bitgetAccount();
    const stranger = h.track(bitgetSpot(h.em, { apiKey: 'nobody', secret: 'x', password: 'y' }));
    await expect(stranger.fetchBalance()).rejects.toThrow(ccxt.AuthenticationError);
    await expect(stranger.fetchBalance()).rejects.toThrow(/40006/);
    const wrongPass = h.track(bitgetSpot(h.em, { ...acct.creds, password: 'nope' }));
    await expect(wrongPass.fetchBalance()).rejects.toThrow(/40012/);
    const wrongSecret = h.track(bitgetSpot(h.em, { ...acct.creds, secret: 'nope' }));
    await expect(wrongSecret.fetchBalance()).rejects.toThrow(/40009/);
  });

  it('serves demo keys only with the paptrading header', async () => {
    const demo = h.bitgetAccount({ USDT: '50' }, true);
    await expect(demo.client().fetchBalance()).resolves.toMatchObject({ USDT: { free: 50 } });
    const withoutHeader = h.track(bitgetSpot(h.em, demo.creds, false));
    await expect(withoutHeader.fetchBalance()).rejects.toThrow(/40099/);
  });

  it('answers 429 as DDoSProtection when a fault says so', async () => {
    const acct = h.bitgetAccount();
    h.em.fault(acct.id, {
      endpoint: 'GET /api/v2/spot/account/assets',
      failNext: { count: 1, httpStatus: 429, code: '429', msg: 'Too Many Requests' },
    });
    await expect(acct.client().fetchBalance()).rejects.toThrow(ccxt.DDoSProtection);
  });
});

describe('Bitget private WebSocket through ccxt', () => {
  it('pushes the fill to watchOrders and the new balances to watchBalance', async () => {
    const acct = h.bitgetAccount({ USDT: '500' });
    const ex = acct.client();
    h.em.setPrice('BTCUSDT', '50000');
    const seen = new Map<string | undefined, Order>();
    const collecting = (async () => {
      while (![...seen.values()].some((o) => o.status === 'closed'))
        for (const o of await ex.watchOrders()) seen.set(o.id, o);
    })();
    // Subscribing to `account` answers with a snapshot of every balance.
    expect((await ex.watchBalance())['USDT']?.free).toBe(500);
    expect(h.em.connectedStreams(acct.id)).toBe(1);
    const nextBalance = ex.watchBalance();
    const placed = await ex.createMarketBuyOrderWithCost('BTC/USDT', 100, { clientOrderId: 'bg-ws-1' });
    await collecting;
    expect(seen.get(placed.id)).toMatchObject({ status: 'closed', filled: 0.002, cost: 100, clientOrderId: 'bg-ws-1' });
    expect((await nextBalance)['USDT']?.free).toBe(400);
  });

  it('pushes trades to watchMyTrades on the fill channel', async () => {
    const acct = h.bitgetAccount({ ETH: '2' });
    const ex = acct.client();
    h.em.setPrice('ETHUSDT', '3000');
    const trades = ex.watchMyTrades('ETH/USDT');
    await eventually(() => expect(h.em.connectedStreams(acct.id)).toBe(1));
    // Login is counted above; the fill subscription follows it on the same socket.
    await settle(100);
    const placed = await ex.createOrder('ETH/USDT', 'market', 'sell', 0.5);
    const [trade] = await trades;
    expect(trade).toMatchObject({
      order: placed.id,
      side: 'sell',
      amount: 0.5,
      price: 3000,
      cost: 1500,
      fee: { cost: 1.5, currency: 'USDT' },
    });
  });

  it('refuses a login with the wrong secret', async () => {
    const acct = h.bitgetAccount();
    const ex = h.track(bitgetSpot(h.em, { ...acct.creds, secret: 'wrong' }));
    await ex.loadMarkets();
    const result = await outcome(ex.watchOrders());
    expect(result.error).toBeInstanceOf(ccxt.AuthenticationError);
  });
});
