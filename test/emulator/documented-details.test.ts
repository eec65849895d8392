import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorHarness, eventually, idOf } from './harness.ts';

let h: EmulatorHarness;

beforeAll(async () => {
  h = await EmulatorHarness.start();
});
afterAll(async () => {
  await h.close();
});

describe('a spot cancel names itself', () => {
  it("REST answers the cancel's own newClientOrderId as clientOrderId; its executionReport has c = that id, C = the order's", async () => {
    const acct = h.binanceAccount();
    const ex = acct.spot();
    h.em.setPrice('BTCUSDT', '60000');
    const order = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 50000, { clientOrderId: 'to-cancel-1' });
    const watching = ex.watchOrders('BTC/USDT');
    await eventually(() => expect(h.em.connectedStreams(acct.id)).toBe(1));
    const answer = (await ex.privateDeleteOrder({
      symbol: 'BTCUSDT',
      orderId: idOf(order),
      newClientOrderId: 'my-cancel-1',
    })) as Record<string, unknown>;
    expect(answer).toMatchObject({
      clientOrderId: 'my-cancel-1',
      origClientOrderId: 'to-cancel-1',
      status: 'CANCELED',
    });

    const [update] = await watching;
    expect(update?.info).toMatchObject({ x: 'CANCELED', X: 'CANCELED', c: 'my-cancel-1', C: 'to-cancel-1' });
    // ccxt reads the order's own id from C.
    expect(update).toMatchObject({ status: 'canceled', clientOrderId: 'to-cancel-1' });
  });

  it('a cancel without newClientOrderId gets one generated, the same in the answer and the stream', async () => {
    const acct = h.binanceAccount();
    const ex = acct.spot();
    h.em.setPrice('BTCUSDT', '60000');
    const order = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 50000, { clientOrderId: 'to-cancel-2' });
    const watching = ex.watchOrders('BTC/USDT');
    await eventually(() => expect(h.em.connectedStreams(acct.id)).toBe(1));
    const answer = (await ex.privateDeleteOrder({ symbol: 'BTCUSDT', orderId: idOf(order) })) as {
      clientOrderId: string;
    };
    expect(answer.clientOrderId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const [update] = await watching;
    expect(update?.info).toMatchObject({ c: answer.clientOrderId, C: 'to-cancel-2' });
  });
});

describe('exchangeInfo and symbols for one symbol', () => {
  const info = async (query: string) => {
    const res = await fetch(`${h.em.httpUrl}/api/v3/exchangeInfo${query}`);
    return { status: res.status, body: (await res.json()) as { symbols?: { symbol: string }[]; code?: number } };
  };

  it('Binance spot: symbol= and symbols=[…] answer only those; an unknown one is -1121', async () => {
    const one = await info('?symbol=BTCUSDT');
    expect(one.body.symbols?.map((s) => s.symbol)).toEqual(['BTCUSDT']);
    const two = await info(`?symbols=${encodeURIComponent('["BTCUSDT","ETHUSDT"]')}`);
    expect(two.body.symbols?.map((s) => s.symbol)).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect((await info('')).body.symbols?.length).toBeGreaterThan(2);
    expect(await info('?symbol=NOPEUSDT')).toEqual({ status: 400, body: { code: -1121, msg: 'Invalid symbol.' } });
    expect((await info(`?symbols=${encodeURIComponent('["BTCUSDT","NOPEUSDT"]')}`)).body.code).toBe(-1121);
    expect((await info('?symbols=BTCUSDT')).body.code).toBe(-1100);
  });

  it('Bitget spot: public/symbols?symbol= answers only that one', async () => {
    const ex = h.bitgetAccount().client();
    const one = (await ex.publicSpotGetV2SpotPublicSymbols({ symbol: 'BTCUSDT' })) as { data: { symbol: string }[] };
    expect(one.data.map((s) => s.symbol)).toEqual(['BTCUSDT']);
    const all = (await ex.publicSpotGetV2SpotPublicSymbols()) as { data: unknown[] };
    expect(all.data.length).toBeGreaterThan(2);
    await expect(ex.publicSpotGetV2SpotPublicSymbols({ symbol: 'NOPEUSDT' })).rejects.toThrow(/40034/);
  });
});

describe('an order named by neither orderId nor origClientOrderId', () => {
  const bothEmpty =
    /"code":-1102,"msg":"Param 'origClientOrderId' or 'orderId' must be sent, but both were empty\/null!"/;

  it('is -1102 in Binance words on spot query and cancel, and on USDT-M', async () => {
    const acct = h.binanceAccount();
    const spot = acct.spot();
    await expect(spot.privateGetOrder({ symbol: 'BTCUSDT' })).rejects.toThrow(ccxt.BadRequest);
    await expect(spot.privateGetOrder({ symbol: 'BTCUSDT' })).rejects.toThrow(bothEmpty);
    await expect(spot.privateDeleteOrder({ symbol: 'BTCUSDT' })).rejects.toThrow(bothEmpty);
    const usdm = acct.usdm();
    await expect(usdm.fapiPrivateGetOrder({ symbol: 'BTCUSDT' })).rejects.toThrow(bothEmpty);
    await expect(usdm.fapiPrivateDeleteOrder({ symbol: 'BTCUSDT' })).rejects.toThrow(bothEmpty);
  });
});
