import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorHarness, eventually, idOf, outcome, settle } from './harness.ts';

let h: EmulatorHarness;

beforeAll(async () => {
  h = await EmulatorHarness.start();
});
afterAll(async () => {
  await h.close();
});

/** Resolves with the promise's value, or 'pending' if it has not settled within `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'pending'> {
  return Promise.race([promise, settle(ms).then(() => 'pending' as const)]);
}

describe('Binance spot user data over the WebSocket API', () => {
  it('delivers the fill of a resting order to watchOrders and watchMyTrades', async () => {
    const acct = h.binanceAccount({ USDT: '1000' });
    const ex = acct.spot();
    h.em.setPrice('BTCUSDT', '60000');
    const trades = ex.watchMyTrades('BTC/USDT');
    await eventually(() => expect(h.em.connectedStreams(acct.id)).toBe(1));
    const placed = ex.watchOrders('BTC/USDT');
    const order = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 59000, { clientOrderId: 'ws-fill' });
    expect((await placed).at(-1)).toMatchObject({ id: order.id, status: 'open', clientOrderId: 'ws-fill' });

    const filled = ex.watchOrders('BTC/USDT');
    h.em.setPrice('BTCUSDT', '58000');
    const [trade] = await trades;
    expect(trade).toMatchObject({
      order: order.id,
      price: 59000,
      amount: 0.001,
      takerOrMaker: 'maker',
      fee: { cost: 0.000001, currency: 'BTC' },
    });
    expect((await filled).at(-1)).toMatchObject({
      id: order.id,
      status: 'closed',
      filled: 0.001,
      clientOrderId: 'ws-fill',
    });
  });

  it('delivers balance changes to watchBalance', async () => {
    const acct = h.binanceAccount({ USDT: '500' });
    const ex = acct.spot();
    const balance = ex.watchBalance();
    await eventually(() => expect(h.em.connectedStreams(acct.id)).toBe(1));
    await ex.createOrder('SOL/USDT', 'limit', 'buy', 1, 100);
    const update = await balance;
    expect(update['USDT']).toMatchObject({ free: 400, used: 100 });
  });

  it('reports the original client order id when an order is canceled', async () => {
    const acct = h.binanceAccount();
    const ex = acct.spot();
    const order = await ex.createOrder('ETH/USDT', 'limit', 'buy', 0.01, 1000, { clientOrderId: 'to-cancel' });
    const watching = ex.watchOrders('ETH/USDT');
    await eventually(() => expect(h.em.connectedStreams(acct.id)).toBe(1));
    await ex.cancelOrder(idOf(order), 'ETH/USDT');
    expect((await watching).at(-1)).toMatchObject({ id: order.id, status: 'canceled', clientOrderId: 'to-cancel' });
  });

  it('refuses a subscription signed with the wrong secret', async () => {
    const acct = h.binanceAccount();
    const ex = h.track(acct.spot());
    ex.secret = 'wrong';
    await expect(ex.watchOrders()).rejects.toThrow(ccxt.AuthenticationError);
  });
});

describe('Binance USDT-M user data over the listenKey stream', () => {
  it('delivers ORDER_TRADE_UPDATE fills and ACCOUNT_UPDATE positions', async () => {
    const acct = h.binanceAccount({}, { USDT: '5000' });
    const ex = acct.usdm({ watchPositions: { fetchPositionsSnapshot: false } });
    await ex.setPositionMode(true);
    h.em.setPrice('BTCUSDT', '60000');
    const trades = ex.watchMyTrades();
    const orders = ex.watchOrders();
    const positions = ex.watchPositions();
    await eventually(() => expect(h.em.connectedStreams(acct.id)).toBe(1));
    const order = await ex.createOrder('BTC/USDT:USDT', 'market', 'buy', 0.01, undefined, {
      positionSide: 'LONG',
      clientOrderId: 'fut-ws',
    });
    const [trade] = await trades;
    expect(trade).toMatchObject({
      order: order.id,
      price: 60000,
      amount: 0.01,
      symbol: 'BTC/USDT:USDT',
      fee: { cost: 0.24, currency: 'USDT' },
    });
    expect((await orders).at(-1)).toMatchObject({ id: order.id, clientOrderId: 'fut-ws' });
    const [position] = await positions;
    expect(position).toMatchObject({ symbol: 'BTC/USDT:USDT', side: 'long', contracts: 0.01, entryPrice: 60000 });
  });

  it('sends ALGO_UPDATE when a conditional order triggers', async () => {
    const acct = h.binanceAccount({}, { USDT: '5000' });
    const ex = acct.usdm();
    await ex.setPositionMode(true);
    h.em.setPrice('ETHUSDT', '3000');
    await ex.createOrder('ETH/USDT:USDT', 'market', 'buy', 0.1, undefined, { positionSide: 'LONG' });
    const stop = await ex.createOrder('ETH/USDT:USDT', 'market', 'sell', 0.1, undefined, {
      positionSide: 'LONG',
      stopLossPrice: 2900,
    });
    const seen = new Map<string | undefined, string | undefined>();
    const watching = (async () => {
      while (seen.get(stop.id) !== 'closed') for (const o of await ex.watchOrders()) seen.set(o.id, o.status);
    })();
    await eventually(() => expect(h.em.connectedStreams(acct.id)).toBe(1));
    h.em.setPrice('ETHUSDT', '2899');
    await watching;
    expect(seen.get(stop.id)).toBe('closed');
  });

  it('expires a listenKey 60 minutes after the last keepalive: the socket closes, keepalive is refused', async () => {
    let offset = 0;
    const clocked = await EmulatorHarness.start({ now: () => Date.now() + offset });
    try {
      const acct = clocked.binanceAccount();
      const ex = acct.usdm();
      const watching = outcome(ex.watchOrders());
      await eventually(() => expect(clocked.em.connectedStreams(acct.id)).toBe(1));
      offset = 59 * 60_000;
      await ex.fapiPrivatePutListenKey();
      offset = 2 * 59 * 60_000;
      await settle(400);
      expect(clocked.em.connectedStreams(acct.id)).toBe(1);
      offset = 2 * 59 * 60_000 + 61 * 60_000;
      await eventually(() => expect(clocked.em.connectedStreams(acct.id)).toBe(0));
      expect((await watching).error).toBeInstanceOf(ccxt.NetworkError);
      await expect(ex.fapiPrivatePutListenKey()).rejects.toThrow(/-1125/);
    } finally {
      await clocked.close();
    }
  });
});

describe('stream faults', () => {
  it('dropStreams closes the account sockets: a pending watch fails with a NetworkError', async () => {
    const acct = h.binanceAccount();
    const spot = acct.spot();
    const fut = acct.usdm();
    const spotWatch = outcome(spot.watchOrders());
    const futWatch = outcome(fut.watchOrders());
    await eventually(() => expect(h.em.connectedStreams(acct.id)).toBe(2));
    h.em.dropStreams(acct.id);
    expect((await spotWatch).error).toBeInstanceOf(ccxt.NetworkError);
    expect((await futWatch).error).toBeInstanceOf(ccxt.NetworkError);
    expect(h.em.connectedStreams(acct.id)).toBe(0);
  });

  it('silenceStreams keeps sockets open but delivers nothing until lifted', async () => {
    const acct = h.binanceAccount();
    const ex = acct.spot();
    const first = ex.watchOrders();
    await eventually(() => expect(h.em.connectedStreams(acct.id)).toBe(1));
    h.em.silenceStreams(acct.id, true);
    await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 10000);
    expect(await within(first, 200)).toBe('pending');
    expect(h.em.connectedStreams(acct.id)).toBe(1);
    h.em.silenceStreams(acct.id, false);
    const order = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 10001);
    expect((await first).map((o) => o.id)).toEqual([order.id]);
  });

  it('expireListenKeys ends the futures stream at once', async () => {
    const acct = h.binanceAccount();
    const ex = acct.usdm();
    const watching = outcome(ex.watchOrders());
    await eventually(() => expect(h.em.connectedStreams(acct.id)).toBe(1));
    h.em.expireListenKeys(acct.id);
    expect((await watching).error).toBeInstanceOf(ccxt.NetworkError);
  });
});
