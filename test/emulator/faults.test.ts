import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorHarness, eventually, outcome } from './harness.ts';

let h: EmulatorHarness;

beforeAll(async () => {
  h = await EmulatorHarness.start();
});
afterAll(async () => {
  await h.close();
});

describe('fault injection per account and endpoint', () => {
  it('fails the next N calls of one endpoint with the given status and code, then recovers', async () => {
    const acct = h.binanceAccount();
    const ex = acct.spot();
    h.em.fault(acct.id, {
      endpoint: 'GET /api/v3/account',
      failNext: { count: 2, httpStatus: 429, code: -1003, msg: 'Too many requests; current limit is 6000 weight.' },
    });
    await expect(ex.fetchBalance()).rejects.toThrow(ccxt.DDoSProtection);
    await expect(ex.fetchBalance()).rejects.toThrow(ccxt.DDoSProtection);
    await expect(ex.fetchBalance()).resolves.toBeDefined();
  });

  it('a -1003 with HTTP 400 comes out as RateLimitExceeded', async () => {
    const acct = h.binanceAccount();
    const ex = acct.spot();
    h.em.fault(acct.id, { failNext: { count: 1, httpStatus: 400, code: -1003, msg: 'Too much request weight used.' } });
    await expect(ex.fetchBalance()).rejects.toThrow(ccxt.RateLimitExceeded);
  });

  it('touches only the faulted account', async () => {
    const victim = h.binanceAccount();
    const bystander = h.binanceAccount();
    h.em.fault(victim.id, {
      failNext: { count: 5, httpStatus: 503, code: -1008, msg: 'Server is currently overloaded.' },
    });
    // A JSON body with a code wins over the HTTP status in ccxt: this is an ExchangeError, not a 5xx.
    await expect(victim.spot().fetchBalance()).rejects.toThrow(/-1008/);
    await expect(bystander.spot().fetchBalance()).resolves.toBeDefined();
    h.em.clearFaults(victim.id);
  });

  it('adds latency', async () => {
    const acct = h.binanceAccount();
    const ex = acct.spot();
    await ex.loadMarkets();
    h.em.fault(acct.id, { endpoint: 'GET /api/v3/account', latencyMs: 150 });
    const started = Date.now();
    await ex.fetchBalance();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    h.em.clearFaults(acct.id);
  });

  it('holds a timed-out request without answering until the client gives up', async () => {
    const acct = h.binanceAccount();
    const ex = acct.spot();
    await ex.loadMarkets();
    ex.timeout = 300;
    h.em.fault(acct.id, { endpoint: 'GET /api/v3/account', timeoutNext: 1 });
    await expect(ex.fetchBalance()).rejects.toThrow(ccxt.RequestTimeout);
    await expect(ex.fetchBalance()).resolves.toBeDefined();
  });

  it('places an order and drops its answer: the client times out, the order exists', async () => {
    const acct = h.binanceAccount({ USDT: '1000' });
    const ex = acct.spot();
    await ex.loadMarkets();
    ex.timeout = 300;
    h.em.setPrice('BTCUSDT', '60000');
    h.em.fault(acct.id, { endpoint: 'POST /api/v3/order', dropAnswerNext: 1 });
    const attempt = ex.createOrder('BTC/USDT', 'market', 'buy', 0.001, undefined, { clientOrderId: 'dropped-1' });
    await expect(attempt).rejects.toThrow(ccxt.RequestTimeout);
    expect(await ex.fetchOrder('', 'BTC/USDT', { clientOrderId: 'dropped-1' })).toMatchObject({ status: 'closed' });
  });

  it('places the order but answers -1007; the order is then found by its client order id', async () => {
    const acct = h.binanceAccount({ USDT: '1000' });
    const ex = acct.spot();
    h.em.setPrice('BTCUSDT', '60000');
    h.em.fault(acct.id, { endpoint: 'POST /api/v3/order', unknownStatusNext: 1 });
    const attempt = ex.createOrder('BTC/USDT', 'market', 'buy', 0.001, undefined, { clientOrderId: 'lost-1' });
    await expect(attempt).rejects.toThrow(ccxt.RequestTimeout);
    await expect(attempt).rejects.toThrow(/-1007/);
    const found = await ex.fetchOrder('', 'BTC/USDT', { clientOrderId: 'lost-1' });
    expect(found).toMatchObject({ status: 'closed', filled: 0.001, clientOrderId: 'lost-1' });
    // Re-sending blindly is not refused: the filled order no longer holds its id on Binance, so a
    // second, real order is placed. Only the look-up above is safe.
    const second = await ex.createOrder('BTC/USDT', 'market', 'buy', 0.001, undefined, { clientOrderId: 'lost-1' });
    expect(second.id).not.toBe(found.id);
    expect(await ex.fetchOrders('BTC/USDT')).toHaveLength(2);
  });

  it('applies unknown-status faults to futures orders too', async () => {
    const acct = h.binanceAccount({}, { USDT: '5000' });
    const ex = acct.usdm();
    h.em.setPrice('ETHUSDT', '3000');
    h.em.fault(acct.id, { endpoint: 'POST /fapi/v1/order', unknownStatusNext: 1 });
    await expect(
      ex.createOrder('ETH/USDT:USDT', 'market', 'buy', 0.1, undefined, { clientOrderId: 'lost-fut' }),
    ).rejects.toThrow(ccxt.RequestTimeout);
    expect(await ex.fetchOrder('', 'ETH/USDT:USDT', { clientOrderId: 'lost-fut' })).toMatchObject({
      status: 'closed',
      filled: 0.1,
    });
  });

  it('releases held requests on stop(), so nothing hangs or leaks', async () => {
    const own = await EmulatorHarness.start();
    const acct = own.binanceAccount();
    const ex = acct.spot();
    await ex.loadMarkets();
    ex.timeout = 10_000;
    own.em.fault(acct.id, { timeoutNext: 1 });
    const pending = outcome(ex.fetchBalance());
    await eventually(() => expect(own.em.requests()['GET /api/v3/account']).toBe(1));
    const started = Date.now();
    await own.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect((await pending).error).toBeInstanceOf(ccxt.NetworkError);
  });
});
