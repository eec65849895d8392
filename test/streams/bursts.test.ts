import type { Exchange } from 'ccxt';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STREAM_CACHE_LIMITS } from '../../src/exchange/endpoints.ts';
import { startTestApp, type TestApp } from '../support/harness.ts';
import { FAST_STREAMS } from '../support/paper-desk.ts';
import { waitFor } from '../support/wait.ts';

let desk: TestApp;
beforeAll(async () => {
  desk = await startTestApp({}, { streamTiming: FAST_STREAMS });
  await desk.app.start();
  await waitFor(() => desk.app.services.streams.status('sub_a')?.health === 'live');
});
afterAll(async () => desk.close());

describe('a burst of order events on one account', () => {
  it('more events at once than a stream client keeps (250 cancels) all reach the desk', async () => {
    const { exchanges, bus } = desk.app.services;
    const burst = STREAM_CACHE_LIMITS.ordersLimit + 50;
    const account = await exchanges.for('sub_a');
    const placed: string[] = [];
    for (let i = 0; i < burst; i++) {
      const order = await account.placeOrder({
        symbol: 'BTC/USDT:USDT',
        side: 'buy',
        type: 'limit',
        amount: new Decimal('0.004'),
        price: new Decimal('30000'),
        clientOrderId: `burst-${i}`,
        positionSide: 'LONG',
      });
      placed.push(order.id);
    }
    const canceled = new Set<string>();
    bus.on('order', (e) => {
      if (e.accountId === 'sub_a' && e.order.status === 'canceled') canceled.add(e.order.id);
    });

    // One request cancels them all: the exchange pushes every cancel at once.
    await (account as unknown as { client: Exchange }).client.cancelAllOrders('BTC/USDT:USDT');

    await waitFor(() => canceled.size === burst, 8_000);
    expect([...canceled].sort()).toEqual([...placed].sort());
  });
});
