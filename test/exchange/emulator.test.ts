import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.ts';
import { ExchangeAuthError, OrderStatusUnknownError } from '../../src/exchange/errors.ts';
import type { AccountExchange, ExchangeId, ExchangeOrder, MarketKind } from '../../src/exchange/types.ts';
import { startDesk, type Desk } from './desk.ts';

/** The paper desk: accounts in the database, their twins on the emulator, real ccxt between. */
describe('exchange layer against the paper exchange', () => {
  let emulator: Emulator;
  let desk: Desk;

  beforeAll(async () => {
    emulator = await startEmulator();
    emulator.setPrice('BTCUSDT', '50000');
    desk = await startDesk(emulator, { timeoutMs: 2000 });
  });
  afterAll(async () => {
    await desk.close();
    await emulator.stop();
  });

  async function open(
    id: string,
    exchange: ExchangeId,
    market: MarketKind,
    funds: { spot?: Record<string, string>; futures?: Record<string, string> },
  ): Promise<AccountExchange> {
    const credentials = await desk.addAccount(id, exchange, market);
    emulator.createAccount({ id, exchange, ...credentials, ...funds, hedgeMode: market === 'usdm' });
    return desk.clients.for(id);
  }

  const amountOf = (lines: { asset: string; free: Decimal }[], asset: string) =>
    lines.find((l) => l.asset === asset)?.free.toFixed() ?? '0';

  it('Binance spot: balance, market buy by quote amount, limit order found by client id and cancelled', async () => {
    const lead = await open('lead', 'binance', 'spot', { spot: { USDT: '10000' } });
    expect(amountOf(await lead.fetchBalance(), 'USDT')).toBe('10000');

    const bought = await lead.placeOrder({
      symbol: 'btcusdt',
      side: 'buy',
      type: 'market',
      cost: new Decimal('100'),
      clientOrderId: 'hs-lead-m1',
    });
    expect(bought).toMatchObject({ clientOrderId: 'hs-lead-m1', symbol: 'BTC/USDT', side: 'buy', status: 'closed' });
    expect(bought.filled.toFixed()).toBe('0.002');
    expect(bought.cost.toFixed()).toBe('100');

    const resting = await lead.placeOrder({
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'limit',
      amount: new Decimal('0.01'),
      price: new Decimal('40000'),
      clientOrderId: 'hs-lead-l1',
    });
    expect(resting.status).toBe('open');
    const found = await lead.fetchOrder('BTCUSDT', { clientOrderId: 'hs-lead-l1' });
    expect(found).toMatchObject({ id: resting.id, status: 'open', clientOrderId: 'hs-lead-l1' });
    expect(found?.price?.toFixed()).toBe('40000');
    expect((await lead.fetchOpenOrders('BTCUSDT')).map((o) => o.clientOrderId)).toEqual(['hs-lead-l1']);

    const canceled = await lead.cancelOrder('BTCUSDT', { clientOrderId: 'hs-lead-l1' });
    expect(canceled).toMatchObject({ id: resting.id, status: 'canceled' });
    expect(await lead.fetchOpenOrders()).toEqual([]);
    await expect(lead.fetchOrder('BTCUSDT', { clientOrderId: 'hs-never-sent' })).resolves.toBeUndefined();

    const trades = await lead.fetchTrades('BTCUSDT');
    expect(trades.map((t) => [t.orderId, t.side, t.amount.toFixed()])).toEqual([[bought.id, 'buy', '0.002']]);
    expect(await lead.fetchTrades('BTCUSDT', { sinceTradeId: trades[0]?.id ?? '' })).toEqual([]);
    expect(amountOf(await lead.fetchBalance(), 'BTC')).not.toBe('0');
  });

  it('Binance spot: an order whose answer is lost is found by its client id, not sent twice', async () => {
    const f1 = await open('f1', 'binance', 'spot', { spot: { USDT: '1000' } });
    emulator.fault('f1', { endpoint: 'POST /api/v3/order', unknownStatusNext: 1 });
    const err = await f1
      .placeOrder({
        symbol: 'BTCUSDT',
        side: 'buy',
        type: 'market',
        cost: new Decimal('50'),
        clientOrderId: 'hs-f1-e1',
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrderStatusUnknownError);
    const order = await f1.fetchOrder('BTCUSDT', { clientOrderId: 'hs-f1-e1' });
    expect(order).toMatchObject({ clientOrderId: 'hs-f1-e1', status: 'closed' });
    expect((await f1.fetchTrades('BTCUSDT')).length).toBe(1);
  });

  it('Binance spot: order updates arrive on the stream as decimals', async () => {
    const subB = await open('sub_b', 'binance', 'spot', { spot: { USDT: '1000' } });
    const watching = subB.watchOrders();
    let update: ExchangeOrder[] | undefined;
    void watching.then((orders) => (update = orders));
    // The subscription is confirmed asynchronously; an order placed before it is not streamed.
    for (let attempt = 1; !update && attempt <= 20; attempt += 1) {
      await subB.placeOrder({
        symbol: 'BTCUSDT',
        side: 'buy',
        type: 'limit',
        amount: new Decimal('0.001'),
        price: new Decimal('30000'),
        clientOrderId: `hs-subb-w${attempt}`,
      });
      await Promise.race([watching, new Promise((resolve) => setTimeout(resolve, 100))]);
    }
    const [first] = await watching;
    expect(first?.clientOrderId).toMatch(/^hs-subb-w\d+$/);
    expect(first?.amount.toFixed()).toBe('0.001');
    await subB.closeStreams();
  });

  it('Binance USDT-M (hedge mode): open long, stop-loss and take-profit as algo orders, close by positionSide', async () => {
    const main = await open('main', 'binance', 'usdm', { futures: { USDT: '10000' } });
    const opened = await main.placeOrder({
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'market',
      amount: new Decimal('0.01'),
      positionSide: 'LONG',
      clientOrderId: 'hs-main-o1',
    });
    expect(opened).toMatchObject({ clientOrderId: 'hs-main-o1', symbol: 'BTC/USDT:USDT', positionSide: 'LONG' });
    const [long] = await main.fetchPositions();
    expect(long).toMatchObject({ symbol: 'BTC/USDT:USDT', side: 'LONG' });
    expect(long?.contracts.toFixed()).toBe('0.01');
    expect(long?.entryPrice.toFixed()).toBe('50000');

    const stop = await main.placeConditionalOrder({
      symbol: 'BTCUSDT',
      side: 'sell',
      kind: 'stop',
      triggerPrice: new Decimal('45000'),
      closePosition: true,
      positionSide: 'LONG',
      clientOrderId: 'hs-main-sl1',
    });
    expect(stop).toMatchObject({ clientOrderId: 'hs-main-sl1', type: 'stop_market', status: 'open' });
    expect(stop.triggerPrice?.toFixed()).toBe('45000');
    await main.placeConditionalOrder({
      symbol: 'BTCUSDT',
      side: 'sell',
      kind: 'take_profit',
      triggerPrice: new Decimal('60000'),
      amount: new Decimal('0.004'),
      positionSide: 'LONG',
      clientOrderId: 'hs-main-tp1',
    });
    const conditional = await main.fetchOpenConditionalOrders('BTCUSDT');
    expect(conditional.map((o) => o.clientOrderId).sort()).toEqual(['hs-main-sl1', 'hs-main-tp1']);
    expect(await main.fetchOpenOrders('BTCUSDT')).toEqual([]);

    await main.cancelConditionalOrder('BTCUSDT', { clientOrderId: 'hs-main-sl1' });
    expect((await main.fetchOpenConditionalOrders()).map((o) => o.clientOrderId)).toEqual(['hs-main-tp1']);

    emulator.setPrice('BTCUSDT', '61000');
    await expect.poll(async () => (await main.fetchPositions())[0]?.contracts.toFixed()).toBe('0.006');

    // Closing in hedge mode: positionSide alone; reduceOnly would be refused (-1106) and is not sent.
    const closed = await main.placeOrder({
      symbol: 'BTCUSDT',
      side: 'sell',
      type: 'market',
      amount: new Decimal('0.006'),
      positionSide: 'LONG',
      reduceOnly: true,
      clientOrderId: 'hs-main-c1',
    });
    expect(closed.status).toBe('closed');
    expect(await main.fetchPositions()).toEqual([]);
    emulator.setPrice('BTCUSDT', '50000');
  });

  it('Bitget spot: market buy by quote amount and the order read back by client id', async () => {
    const f2 = await open('f2', 'bitget', 'spot', { spot: { USDT: '500' } });
    expect(amountOf(await f2.fetchBalance(), 'USDT')).toBe('500');

    const bought = await f2.placeOrder({
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'market',
      cost: new Decimal('50'),
      clientOrderId: 'hs-f2-m1',
    });
    expect(bought).toMatchObject({ clientOrderId: 'hs-f2-m1', symbol: 'BTC/USDT', side: 'buy', status: 'closed' });
    expect(bought.filled.toFixed()).toBe('0.001');

    const found = await f2.fetchOrder('BTCUSDT', { clientOrderId: 'hs-f2-m1' });
    expect(found).toMatchObject({ id: bought.id, status: 'closed' });
    await expect(f2.fetchOrder('BTCUSDT', { clientOrderId: 'hs-f2-none' })).resolves.toBeUndefined();

    const resting = await f2.placeOrder({
      symbol: 'BTCUSDT',
      side: 'sell',
      type: 'limit',
      amount: new Decimal('0.0005'),
      price: new Decimal('90000'),
      clientOrderId: 'hs-f2-l1',
    });
    expect(resting.status).toBe('open');
    expect((await f2.fetchOpenOrders()).map((o) => o.clientOrderId)).toEqual(['hs-f2-l1']);
    const trades = await f2.fetchTrades('BTCUSDT');
    expect(trades.map((t) => [t.orderId, t.side, t.amount.toFixed()])).toEqual([[bought.id, 'buy', '0.001']]);
    const canceled = await f2.cancelOrder('BTCUSDT', { clientOrderId: 'hs-f2-l1' });
    expect(canceled).toMatchObject({ id: resting.id, status: 'canceled' });
  });

  it('a key the exchange rejects disables only that account', async () => {
    await desk.addAccount('sub_a', 'binance', 'usdm');
    emulator.createAccount({ id: 'sub_a', exchange: 'binance', apiKey: 'someOtherKey123456', secret: 'x'.repeat(20) });
    const subA = await desk.clients.for('sub_a');
    await expect(subA.fetchBalance()).rejects.toBeInstanceOf(ExchangeAuthError);
    await expect.poll(async () => (await desk.accounts.get('sub_a')).status).toBe('DISABLED');
    expect((await desk.accounts.get('main')).status).toBe('ACTIVE');
    await expect((await desk.clients.for('main')).fetchBalance()).resolves.toBeDefined();
  });
});
