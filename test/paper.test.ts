import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { startTestApp, tempDir } from './support/harness.ts';

describe('paper mode', () => {
  it('keeps the paper exchange (balances, orders, prices) across a restart of the desk', async () => {
    const dataDir = tempDir();
    const first = await startTestApp({ DATA_DIR: dataDir });
    first.app.services.paper?.emulator.setPrice('BTCUSDT', '61000');
    const ex = await first.app.services.exchanges.for('sub_b');
    await ex.placeOrder({
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'market',
      cost: new Decimal('610'),
      clientOrderId: 'persist1',
    });
    await ex.placeOrder({
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'limit',
      price: new Decimal('50000'),
      amount: new Decimal('0.002'),
      clientOrderId: 'persist2',
    });
    const before = await ex.fetchBalance();
    await first.app.close();

    const second = await startTestApp({ DATA_DIR: dataDir });
    expect(second.app.services.paper?.emulator.price('BTCUSDT')).toBe('61000');
    const again = await second.app.services.exchanges.for('sub_b');
    expect((await again.fetchBalance()).map((l) => [l.asset, l.free.toString(), l.locked.toString()])).toEqual(
      before.map((l) => [l.asset, l.free.toString(), l.locked.toString()]),
    );
    expect((await again.fetchOpenOrders('BTC/USDT')).map((o) => o.clientOrderId)).toEqual(['persist2']);
    expect((await again.fetchOrder('BTC/USDT', { clientOrderId: 'persist1' }))?.status).toBe('closed');
    await second.close();
  });

  it('the demo accounts start with their demo balances, and futures accounts in hedge mode', async () => {
    const desk = await startTestApp();
    const lead = await (await desk.app.services.exchanges.for('lead')).fetchBalance();
    expect(lead.find((l) => l.asset === 'BTC')?.free.toString()).toBe('0.2');
    expect(lead.find((l) => l.asset === 'USDT')?.free.toString()).toBe('10000');
    const main = await desk.app.services.exchanges.for('main');
    await main.placeOrder({
      symbol: 'BTC/USDT:USDT',
      side: 'sell',
      type: 'market',
      amount: new Decimal('0.01'),
      positionSide: 'SHORT',
      clientOrderId: 'hedge1',
    });
    expect((await main.fetchPositions()).map((p) => p.side)).toEqual(['SHORT']);
    await desk.close();
  });
});
