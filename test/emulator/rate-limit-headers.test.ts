import ccxt from 'ccxt';
import { afterEach, describe, expect, it } from 'vitest';
import type { EmulatorOptions } from '../../src/emulator/index.ts';
import { EmulatorHarness } from './harness.ts';

/**
 * Binance's rate-limit headers (spot and USDT-M "LIMITS"): the IP's used weight on every answer,
 * the account's order counts on every successful order answer, Retry-After (seconds) with a spot
 * 429/418 for request weight, none with a 429 for too many orders.
 */
describe('Binance rate-limit headers', () => {
  let h: EmulatorHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });
  async function start(opts: EmulatorOptions = {}): Promise<EmulatorHarness> {
    h = await EmulatorHarness.start(opts);
    return h;
  }

  it('every answer carries X-MBX-USED-WEIGHT-1M, refused ones too', async () => {
    const em = (await start()).em;
    const time = await fetch(`${em.httpUrl}/api/v3/time`);
    expect(time.headers.get('x-mbx-used-weight-1m')).toBe('1');
    const unknown = await fetch(`${em.httpUrl}/api/v3/ticker/price?symbol=NOPE`);
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('x-mbx-used-weight-1m')).toBe('3');
    const futures = await fetch(`${em.httpUrl}/fapi/v1/time`);
    // Spot and USDT-M count their weight apart.
    expect(futures.headers.get('x-mbx-used-weight-1m')).toBe('1');
  });

  it('a spot order answer carries X-MBX-ORDER-COUNT-10S and -1D; USDT-M -10S and -1M', async () => {
    const harness = await start();
    harness.em.setPrice('BTCUSDT', '60000');
    const acct = harness.binanceAccount();
    const spot = acct.spot();
    await spot.loadMarkets();
    // Order counts are kept in fixed 10 s windows: both orders go into one.
    const left = 10_000 - (Date.now() % 10_000);
    if (left < 3_000) await new Promise((resolve) => setTimeout(resolve, left));
    await spot.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 50000);
    await spot.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 50000);
    expect(spot.last_response_headers).toMatchObject({ 'X-Mbx-Order-Count-10s': '2', 'X-Mbx-Order-Count-1d': '2' });
    expect(spot.last_response_headers?.['X-Mbx-Used-Weight-1m']).toMatch(/^\d+$/);
    await spot.fetchBalance();
    expect(spot.last_response_headers?.['X-Mbx-Order-Count-10s']).toBeUndefined();

    const usdm = acct.usdm();
    await usdm.createOrder('BTC/USDT:USDT', 'limit', 'buy', 0.01, 50000);
    expect(usdm.last_response_headers).toMatchObject({ 'X-Mbx-Order-Count-10s': '1', 'X-Mbx-Order-Count-1m': '1' });
    expect(usdm.last_response_headers?.['X-Mbx-Order-Count-1d']).toBeUndefined();
  });

  it('a spot 429 (-1003) carries the weight used and Retry-After: the seconds left in the minute', async () => {
    // 12:00:45 on the exchange's clock: 15 s left in the weight window.
    const minute = Math.floor(Date.now() / 60_000) * 60_000;
    const em = (await start({ now: () => minute + 45_000, rateLimits: { spotWeightPerMinute: 30 } })).em;
    expect((await fetch(`${em.httpUrl}/api/v3/exchangeInfo`)).status).toBe(200);
    const refused = await fetch(`${em.httpUrl}/api/v3/exchangeInfo`);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ code: -1003 });
    expect(refused.headers.get('retry-after')).toBe('15');
    expect(refused.headers.get('x-mbx-used-weight-1m')).toBe('40');
  });

  it('a 418 ban carries Retry-After until the ban ends; USDT-M answers carry none (its LIMITS page names none)', async () => {
    const em = (
      await start({
        rateLimits: { spotWeightPerMinute: 1, futuresWeightPerMinute: 1, banAfterViolations: 1, banMs: 90_000 },
      })
    ).em;
    const get = (path: string) => fetch(`${em.httpUrl}${path}`);
    await get('/api/v3/ping');
    expect((await get('/api/v3/ping')).status).toBe(429);
    const banned = await get('/api/v3/ping');
    expect(banned.status).toBe(418);
    const body = (await banned.json()) as { code: number; msg: string };
    expect(body.code).toBe(-1003);
    expect(body.msg).toMatch(/IP banned until \d+/);
    expect(Number(banned.headers.get('retry-after'))).toBeGreaterThanOrEqual(89);
    expect(Number(banned.headers.get('retry-after'))).toBeLessThanOrEqual(90);
    // Banned: every later request too, with the time left.
    expect((await get('/api/v3/time')).headers.get('retry-after')).toMatch(/^(89|90)$/);

    await get('/fapi/v1/ping');
    const futures = await get('/fapi/v1/ping');
    expect(futures.status).toBe(429);
    expect(futures.headers.get('retry-after')).toBeNull();
    expect(futures.headers.get('x-mbx-used-weight-1m')).toBe('2');
  });

  it('too many orders is a 429 (-1015) without Retry-After, as the spot docs say', async () => {
    const harness = await start({ rateLimits: { spotOrdersPer10s: 1 } });
    harness.em.setPrice('BTCUSDT', '60000');
    const spot = harness.binanceAccount().spot();
    await spot.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 50000);
    const second = spot.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 50000);
    await expect(second).rejects.toThrow(ccxt.DDoSProtection);
    await expect(second).rejects.toThrow(/-1015/);
    expect(spot.last_response_headers?.['Retry-After']).toBeUndefined();
    expect(spot.last_response_headers?.['X-Mbx-Used-Weight-1m']).toMatch(/^\d+$/);
  });

  it('a fault can answer 429 with the Retry-After it names', async () => {
    const harness = await start();
    const acct = harness.binanceAccount();
    harness.em.fault(acct.id, {
      endpoint: 'GET /api/v3/account',
      failNext: { count: 1, httpStatus: 429, code: -1003, msg: 'Too much request weight used.', retryAfterSeconds: 2 },
    });
    const spot = acct.spot();
    await expect(spot.fetchBalance()).rejects.toThrow(ccxt.DDoSProtection);
    // loadMarkets (exchangeInfo, 20) and the account read (20).
    expect(spot.last_response_headers).toMatchObject({ 'Retry-After': '2', 'X-Mbx-Used-Weight-1m': '40' });
  });
});
