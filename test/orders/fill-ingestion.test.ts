import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientOrderIdFactory } from '../../src/domain/client-order-id.ts';
import type { ExchangeTrade } from '../../src/exchange/types.ts';
import type { DeskEvent } from '../../src/services/events.ts';
import { insertCopyOrders } from '../../src/services/orders/order-writes.ts';
import { startPaperDesk, type PaperDesk } from '../support/paper-desk.ts';

/**
 * Fills arrive in bursts: when a copy fan-out's answers are in, every follower's fill comes at
 * once. Each is booked exactly once, however many arrive together and whatever else they carry.
 */
let paper: PaperDesk;
const externals: Extract<DeskEvent, { type: 'external_fill' }>[] = [];

beforeAll(async () => {
  paper = await startPaperDesk();
  paper.app.services.bus.on('external_fill', (e) => {
    externals.push(e);
  });
});
afterAll(async () => paper.close());

let tradeSeq = 0;
function trade(fields: Partial<ExchangeTrade> = {}): ExchangeTrade {
  tradeSeq += 1;
  return {
    id: `burst-trade-${tradeSeq}`,
    orderId: `burst-order-${tradeSeq}`,
    clientOrderId: `not-ours-${tradeSeq}`,
    symbol: 'BTC/USDT',
    side: 'buy',
    price: new Decimal('60000'),
    amount: new Decimal('0.001'),
    cost: new Decimal('60'),
    fee: undefined,
    positionSide: undefined,
    timestamp: Date.now(),
    ...fields,
  };
}

describe('fills arriving together', () => {
  it('500 followers’ fills at once are all booked (no query grows past the database’s parameter limit)', async () => {
    const { fills, db } = paper.app.services;
    const burst = Array.from({ length: 500 }, (_, i) => ({ accountId: `follower${i}`, trade: trade() }));
    externals.length = 0;

    const results = await Promise.all(burst.map((b) => fills.ingest(b.accountId, b.trade)));

    expect(results).toEqual(burst.map(() => 'external'));
    expect(await db.fill.count({ where: { accountId: { startsWith: 'follower' } } })).toBe(500);
    expect(externals.map((e) => e.accountId).sort()).toEqual(burst.map((b) => b.accountId).sort());
    const one = await db.fill.findUnique({
      where: {
        accountId_symbol_tradeId: { accountId: 'follower7', symbol: 'BTC/USDT', tradeId: burst[7]?.trade.id ?? '' },
      },
    });
    expect(one).toMatchObject({
      exchangeOrderId: burst[7]?.trade.orderId,
      clientOrderId: burst[7]?.trade.clientOrderId,
      side: 'buy',
      positionSide: 'LONG',
      qty: '0.001',
      price: '60000',
      fee: '0',
      externalQty: '0.001',
      vpId: null,
      kind: 'trade',
      realizedPnl: '0',
      at: new Date(burst[7]?.trade.timestamp ?? 0),
    });
    expect(Date.now() - (one?.createdAt.getTime() ?? 0)).toBeLessThan(60_000);
  });

  it('the same trade twice in one burst, and once more later, is booked once', async () => {
    const { fills, db } = paper.app.services;
    const t = trade();
    const results = await Promise.all([
      fills.ingest('dupe', t),
      fills.ingest('dupe', { ...t, clientOrderId: undefined }),
    ]);
    expect(results).toEqual(['external', 'duplicate']);
    expect(await fills.ingest('dupe', t)).toBe('duplicate');
    expect(await db.fill.count({ where: { accountId: 'dupe' } })).toBe(1);
  });

  it('a fill without a client id takes it from our order row, found by the exchange order id', async () => {
    const { fills, db } = paper.app.services;
    const [row] = await insertCopyOrders(db, [
      {
        clientOrderId: 'hs1c-row-lookup',
        accountId: 'rowed',
        symbol: 'BTC/USDT',
        side: 'buy',
        amount: null,
        cost: '60',
      },
    ]);
    await db.order.update({ where: { id: row?.id ?? 0 }, data: { exchangeOrderId: 'ex-rowed-1' } });
    const t = trade({ orderId: 'ex-rowed-1', clientOrderId: undefined });

    const results = await Promise.all([fills.ingest('rowed', t), fills.ingest('other', trade())]);

    expect(results).toEqual(['external', 'external']);
    const stored = await db.fill.findFirst({ where: { accountId: 'rowed', tradeId: t.id } });
    expect(stored?.clientOrderId).toBe('hs1c-row-lookup');
  });

  it('a burst of one VP is booked together: the ledger is what the fills one by one would make, a trade booked already counts once', async () => {
    const { fills, db, vps, codes } = paper.app.services;
    const vp = await vps.open({ accountId: 'sub_b', symbol: 'BTC/USDT', positionSide: 'LONG', name: 'sweep' });
    const ids = new ClientOrderIdFactory();
    const ours = ids.next({ accountCode: await codes.codeOf('sub_b'), vpId: vp.id, purpose: 'trade' });
    // A market order sweeping three levels, then selling part back in two fills.
    const legs = [
      trade({ clientOrderId: ours, amount: new Decimal('0.004'), price: new Decimal('60000') }),
      trade({ clientOrderId: ours, amount: new Decimal('0.004'), price: new Decimal('60010') }),
      trade({ clientOrderId: ours, amount: new Decimal('0.002'), price: new Decimal('60020') }),
      trade({ clientOrderId: ours, side: 'sell', amount: new Decimal('0.005'), price: new Decimal('61000') }),
      trade({ clientOrderId: ours, side: 'sell', amount: new Decimal('0.001'), price: new Decimal('61500') }),
    ];
    const [first, ...rest] = legs;
    if (!first) throw new Error('no fills');
    expect(await fills.ingest('sub_b', first)).toBe('applied');
    // The first arrives again with the others: booked already, it changes nothing.
    const results = await Promise.all([first, ...rest].map((t) => fills.ingest('sub_b', t)));
    expect(results).toEqual(['duplicate', 'applied', 'applied', 'applied', 'applied']);
    const after = await db.virtualPosition.findUniqueOrThrow({ where: { id: vp.id } });
    // Bought 0.01 for 600.08 (avg 60008), sold 0.006: realized 0.005 × 992 + 0.001 × 1492.
    expect(after).toMatchObject({ netQty: '0.004', avgEntry: '60008', realizedPnl: '6.452' });
    const booked = await db.fill.findMany({ where: { vpId: vp.id }, orderBy: { id: 'asc' } });
    expect(booked.map((f) => [f.tradeId, f.realizedPnl])).toEqual([
      [legs[0]?.id, '0'],
      [legs[1]?.id, '0'],
      [legs[2]?.id, '0'],
      [legs[3]?.id, '4.96'],
      [legs[4]?.id, '1.492'],
    ]);
  });

  it('fills of our own orders in a burst move their VP in arrival order; the rest stay external', async () => {
    const { fills, db, vps, codes } = paper.app.services;
    const vp = await vps.open({ accountId: 'sub_b', symbol: 'BTC/USDT', positionSide: 'LONG', name: 'burst' });
    const ids = new ClientOrderIdFactory();
    const ours = ids.next({ accountCode: await codes.codeOf('sub_b'), vpId: vp.id, purpose: 'trade' });
    const burst = [
      {
        accountId: 'sub_b',
        trade: trade({ clientOrderId: ours, amount: new Decimal('0.01'), price: new Decimal('60000') }),
      },
      { accountId: 'burstx', trade: trade() },
      {
        accountId: 'sub_b',
        trade: trade({ clientOrderId: ours, amount: new Decimal('0.01'), price: new Decimal('62000') }),
      },
      { accountId: 'sub_b', trade: trade() },
    ];

    const results = await Promise.all(burst.map((b) => fills.ingest(b.accountId, b.trade)));

    expect(results).toEqual(['applied', 'external', 'applied', 'external']);
    const after = await db.virtualPosition.findUniqueOrThrow({ where: { id: vp.id } });
    expect(after.netQty).toBe('0.02');
    expect(after.avgEntry).toBe('61000');
    expect(await db.fill.count({ where: { vpId: vp.id } })).toBe(2);
  });

  it('an account whose fill needs the exchange asked holds up only itself, not the rest of its burst', async () => {
    const { fills } = paper.app.services;
    // No client id and no order row of ours: sub_b's exchange is asked for the order, slowly.
    paper.emulator.fault('sub_b', { endpoint: 'GET /api/v3/order', latencyMs: 2_000 });
    try {
      let slowDone = false;
      const slow = fills.ingest('sub_b', trade({ orderId: '987654321', clientOrderId: undefined })).finally(() => {
        slowDone = true;
      });
      const quick = fills.ingest('quick', trade());

      expect(await quick).toBe('external');
      expect(slowDone).toBe(false);
      expect(await slow).toBe('external');
    } finally {
      paper.emulator.clearFaults('sub_b');
    }
  });
});
