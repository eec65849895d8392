import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binanceKey, binanceSpot } from './ccxt-clients.ts';
import { EmulatorHarness } from './harness.ts';

let h: EmulatorHarness;

beforeAll(async () => {
  h = await EmulatorHarness.start();
});
afterAll(async () => {
  await h.close();
});

async function control(method: string, route: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${h.em.httpUrl}/_control/${route}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: await res.json() };
}

describe('HTTP control surface', () => {
  it('creates an account, moves the price and reports balances, for out-of-process drivers', async () => {
    const creds = { apiKey: binanceKey('ctl'), secret: 'ctl-secret' };
    expect(
      (await control('POST', 'accounts', { id: 'ctl', exchange: 'binance', ...creds, spot: { USDT: '100' } })).status,
    ).toBe(200);
    expect((await control('GET', 'accounts')).json).toContainEqual({ id: 'ctl', exchange: 'binance' });
    expect((await control('POST', 'price', { symbol: 'ETHUSDT', price: '2500' })).json).toEqual({
      symbol: 'ETHUSDT',
      price: '2500',
    });
    expect(((await control('GET', 'prices')).json as Record<string, string>)['ETHUSDT']).toBe('2500');

    const ex = h.track(binanceSpot(h.em, creds));
    await ex.createOrder('ETH/USDT', 'market', 'buy', 0.02);
    const account = (await control('GET', 'accounts/ctl')).json as {
      balances: { spot: Record<string, { free: string }> };
    };
    expect(account.balances.spot['USDT']?.free).toBe('50');
  });

  it('plays a scripted path and injects faults', async () => {
    const creds = { apiKey: binanceKey('ctl2'), secret: 'ctl2-secret' };
    await control('POST', 'accounts', { id: 'ctl2', exchange: 'binance', ...creds, spot: { USDT: '100' } });
    expect(
      (await control('POST', 'path', { symbol: 'SOLUSDT', prices: ['151', '152', '150.5'], intervalMs: 5 })).json,
    ).toEqual({
      symbol: 'SOLUSDT',
      price: '150.5',
    });
    await control('POST', 'faults', {
      accountId: 'ctl2',
      failNext: { count: 1, httpStatus: 429, code: -1003, msg: 'slow down' },
    });
    const ex = h.track(binanceSpot(h.em, creds));
    await expect(ex.fetchBalance()).rejects.toThrow(ccxt.DDoSProtection);
    await control('POST', 'faults', {
      accountId: 'ctl2',
      failNext: { count: 1, httpStatus: 429, code: -1003, msg: 'slow down' },
    });
    await control('DELETE', 'faults/ctl2');
    await expect(ex.fetchBalance()).resolves.toBeDefined();
  });

  it('explains a bad request and an unknown route', async () => {
    const bad = await control('POST', 'accounts', { id: 'x', exchange: 'kraken' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toMatch(/exchange/);
    expect((await control('GET', 'nothing-here')).status).toBe(404);
    expect((await control('POST', 'streams/nobody/drop')).status).toBe(404);
  });
});
