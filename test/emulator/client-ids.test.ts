import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorHarness, idOf } from './harness.ts';

const BTC = 'BTC/USDT:USDT';

/**
 * Client order ids as the exchanges document them: unique among *open* orders (Binance spot and
 * USDT-M newClientOrderId, USDT-M clientAlgoId), Bitget's clientOid only while the earlier order is
 * unfilled and for 6 hours. A reused id names the most recent order placed with it.
 */
describe('client order ids: unique among open orders only', () => {
  let h: EmulatorHarness;
  beforeAll(async () => {
    h = await EmulatorHarness.start();
  });
  afterAll(async () => {
    await h.close();
  });

  it('Binance spot: -2010 while the order rests; the id is taken again once it is cancelled, filled or expired', async () => {
    const ex = h.binanceAccount({ USDT: '10000' }).spot();
    h.em.setPrice('BTCUSDT', '60000');
    const first = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 50000, { clientOrderId: 'spot-re-1' });
    const duplicate = ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 50000, { clientOrderId: 'spot-re-1' });
    await expect(duplicate).rejects.toThrow(ccxt.InvalidOrder);
    await expect(duplicate).rejects.toThrow(/"code":-2010,"msg":"Duplicate order sent."/);

    await ex.cancelOrder(idOf(first), 'BTC/USDT');
    const second = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 50000, { clientOrderId: 'spot-re-1' });
    expect(second.id).not.toBe(first.id);
    // The id names the most recent order placed with it.
    expect(await ex.fetchOrder('', 'BTC/USDT', { clientOrderId: 'spot-re-1' })).toMatchObject({
      id: second.id,
      status: 'open',
    });
    // Each order is still found by its own exchange id.
    expect((await ex.fetchOrder(idOf(first), 'BTC/USDT')).status).toBe('canceled');

    // Filled: the id is free again.
    h.em.setPrice('BTCUSDT', '49999');
    expect((await ex.fetchOrder(idOf(second), 'BTC/USDT')).status).toBe('closed');
    const third = await ex.createOrder('BTC/USDT', 'market', 'buy', 0.001, undefined, { clientOrderId: 'spot-re-1' });
    expect(third.status).toBe('closed');
    // Expired (IOC that did not cross): free again.
    const ioc = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 40000, {
      clientOrderId: 'spot-re-1',
      timeInForce: 'IOC',
    });
    expect(ioc.status).toBe('expired');
    await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 40000, { clientOrderId: 'spot-re-1' });
    await expect(
      ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 40000, { clientOrderId: 'spot-re-1' }),
    ).rejects.toThrow(/-2010/);
  });

  it('Binance spot: a look-up by client id on a symbol finds the latest order with that id on that symbol', async () => {
    const ex = h.binanceAccount({ USDT: '10000' }).spot();
    h.em.setPrice('BTCUSDT', '60000');
    h.em.setPrice('ETHUSDT', '3000');
    const onBtc = await ex.createOrder('BTC/USDT', 'market', 'buy', 0.001, undefined, { clientOrderId: 'two-syms' });
    const onEth = await ex.createOrder('ETH/USDT', 'limit', 'buy', 0.01, 2000, { clientOrderId: 'two-syms' });
    expect((await ex.fetchOrder('', 'BTC/USDT', { clientOrderId: 'two-syms' })).id).toBe(onBtc.id);
    expect((await ex.fetchOrder('', 'ETH/USDT', { clientOrderId: 'two-syms' })).id).toBe(onEth.id);
    // The open one on ETH holds the id for the whole account.
    await expect(
      ex.createOrder('BTC/USDT', 'market', 'buy', 0.001, undefined, { clientOrderId: 'two-syms' }),
    ).rejects.toThrow(/-2010/);
  });

  it('Binance USDT-M: -4116 while the order rests; reusable once cancelled or filled', async () => {
    const ex = h.binanceAccount({}, { USDT: '10000' }).usdm();
    h.em.setPrice('BTCUSDT', '60000');
    const first = await ex.createOrder(BTC, 'limit', 'buy', 0.01, 55000, { clientOrderId: 'fut-re-1' });
    const duplicate = ex.createOrder(BTC, 'limit', 'buy', 0.01, 55000, { clientOrderId: 'fut-re-1' });
    await expect(duplicate).rejects.toThrow(/"code":-4116,"msg":"ClientOrderId is duplicated."/);

    await ex.cancelOrder(idOf(first), BTC);
    const second = await ex.createOrder(BTC, 'limit', 'buy', 0.01, 55000, { clientOrderId: 'fut-re-1' });
    expect(second.id).not.toBe(first.id);
    expect(await ex.fetchOrder('', BTC, { clientOrderId: 'fut-re-1' })).toMatchObject({
      id: second.id,
      status: 'open',
    });
    h.em.setPrice('BTCUSDT', '54900');
    expect((await ex.fetchOrder(idOf(second), BTC)).status).toBe('closed');
    const third = await ex.createOrder(BTC, 'market', 'sell', 0.01, undefined, { clientOrderId: 'fut-re-1' });
    expect(third.id).not.toBe(second.id);
    expect((await ex.fetchOrder('', BTC, { clientOrderId: 'fut-re-1' })).id).toBe(third.id);
  });

  it('Binance USDT-M conditional orders: clientAlgoId is refused while the order waits, reusable once cancelled or triggered', async () => {
    const acct = h.binanceAccount({}, { USDT: '10000' });
    const ex = acct.usdm();
    h.em.setPrice('BTCUSDT', '60000');
    await ex.createOrder(BTC, 'market', 'buy', 0.01);
    const stop = () =>
      ex.createOrder(BTC, 'market', 'sell', 0.01, undefined, {
        stopLossPrice: 58000,
        reduceOnly: true,
        clientOrderId: 'algo-re-1',
      });
    const first = await stop();
    await expect(stop()).rejects.toThrow(/-4116/);
    await ex.cancelOrder(idOf(first), BTC, { trigger: true });
    const second = await stop();
    expect(second.id).not.toBe(first.id);
    expect((await ex.fetchOrder('', BTC, { clientOrderId: 'algo-re-1', trigger: true })).id).toBe(second.id);

    // Triggered: its market order takes the id, and a new conditional order may use it again.
    h.em.setPrice('BTCUSDT', '57900');
    expect(h.em.positions(acct.id)).toEqual([]);
    expect(await ex.fetchOrder('', BTC, { clientOrderId: 'algo-re-1' })).toMatchObject({ status: 'closed' });
    h.em.setPrice('BTCUSDT', '60000');
    await ex.createOrder(BTC, 'market', 'buy', 0.01);
    const third = await stop();
    expect(third.id).not.toBe(second.id);
  });

  it('Bitget spot: 43118 while the order is unfilled; reusable once cancelled or filled; the latest is found', async () => {
    const ex = h.bitgetAccount({ USDT: '1000' }).client();
    h.em.setPrice('SOLUSDT', '150');
    const first = await ex.createOrder('SOL/USDT', 'limit', 'buy', 1, 100, { clientOrderId: 'bg-re-1' });
    const duplicate = ex.createOrder('SOL/USDT', 'limit', 'buy', 1, 100, { clientOrderId: 'bg-re-1' });
    await expect(duplicate).rejects.toThrow(/"code":"43118","msg":"clientOrderId duplicate"/);

    await ex.cancelOrder(idOf(first), 'SOL/USDT');
    const second = await ex.createOrder('SOL/USDT', 'limit', 'buy', 1, 100, { clientOrderId: 'bg-re-1' });
    expect(second.id).not.toBe(first.id);
    expect(await ex.fetchOrder('', 'SOL/USDT', { clientOrderId: 'bg-re-1' })).toMatchObject({
      id: second.id,
      status: 'open',
    });
    h.em.setPrice('SOLUSDT', '99');
    expect((await ex.fetchOrder(idOf(second), 'SOL/USDT')).status).toBe('closed');
    // The buy's fee came out of the SOL: sell a little less than bought.
    const third = await ex.createOrder('SOL/USDT', 'market', 'sell', 0.9, undefined, { clientOrderId: 'bg-re-1' });
    expect(third.id).not.toBe(second.id);
  });
});

describe('Bitget clientOid: idempotent for 6 hours only', () => {
  let h: EmulatorHarness;
  let offset = 0;
  beforeAll(async () => {
    h = await EmulatorHarness.start({ now: () => Date.now() + offset });
  });
  afterAll(async () => {
    await h.close();
  });

  it('an unfilled order placed more than 6 hours ago no longer holds its clientOid', async () => {
    const ex = h.bitgetAccount({ USDT: '1000' }).client();
    // ccxt signs with its own clock: it moves with the exchange's.
    ex.milliseconds = () => Date.now() + offset;
    h.em.setPrice('SOLUSDT', '150');
    await ex.createOrder('SOL/USDT', 'limit', 'buy', 1, 100, { clientOrderId: 'bg-6h' });
    offset = 6 * 60 * 60_000 - 60_000;
    await expect(ex.createOrder('SOL/USDT', 'limit', 'buy', 1, 100, { clientOrderId: 'bg-6h' })).rejects.toThrow(
      /43118/,
    );
    offset = 6 * 60 * 60_000 + 1000;
    const again = await ex.createOrder('SOL/USDT', 'limit', 'buy', 1, 100, { clientOrderId: 'bg-6h' });
    expect((await ex.fetchOrder('', 'SOL/USDT', { clientOrderId: 'bg-6h' })).id).toBe(again.id);
    expect(await ex.fetchOpenOrders('SOL/USDT')).toHaveLength(2);
  });
});
