import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, SQLITE_MAX_BOUND_VALUES, type Db } from '../../src/infra/db/client.ts';
import { jsonRows } from '../../src/infra/db/json-rows.ts';
import { tempDir } from '../support/harness.ts';

let db: Db;
beforeAll(async () => {
  ({ db } = await openDatabase(path.join(tempDir(), 'json-rows.db')));
  await db.account.create({
    data: { id: 'f1', name: 'f1', exchange: 'bitget', market: 'spot', env: 'paper' },
  });
});
afterAll(async () => db.$disconnect());

const COLUMNS = ['clientOrderId', 'symbol', 'amount', 'cost', 'createdAt'] as const;

/** Order rows written from jsonRows, as the copy engine writes a fan-out's rows. */
async function insertOrders(rows: (string | null | Date)[][]): Promise<number> {
  return db.$executeRaw`
    INSERT INTO "Order" ("clientOrderId", "accountId", "purpose", "symbol", "side", "type", "amount", "cost", "status",
      "createdAt", "updatedAt")
    SELECT r."clientOrderId", 'f1', 'copy', r."symbol", 'buy', 'market', r."amount", r."cost", 'PENDING',
      r."createdAt", r."createdAt"
    FROM (${jsonRows(COLUMNS, rows)}) AS r`;
}

describe('many rows bound as one JSON value', () => {
  it('text, decimals and NULL arrive as written; a time reads back through Prisma as the same instant', async () => {
    const at = new Date('2026-11-21T07:16:33.348Z');
    const awkward = `it's "quoted"; -- not SQL\n✓ 比特币 \\ end`;
    await insertOrders([
      ['json-a', 'BTC/USDT', '0.00012345678901234567', null, at],
      ['json-b', awkward, null, '1e-7 stays text', at],
    ]);
    const rows = await db.order.findMany({
      where: { clientOrderId: { in: ['json-a', 'json-b'] } },
      orderBy: { clientOrderId: 'asc' },
    });
    expect(rows.map((r) => [r.clientOrderId, r.symbol, r.amount, r.cost, r.createdAt.toISOString()])).toEqual([
      ['json-a', 'BTC/USDT', '0.00012345678901234567', null, at.toISOString()],
      ['json-b', awkward, null, '1e-7 stays text', at.toISOString()],
    ]);
  });

  it('a time is stored as the text Prisma itself stores, so the two compare and sort together', async () => {
    const at = new Date('2026-11-21T08:00:00.001Z');
    await db.order.create({
      data: {
        clientOrderId: 'prisma-written',
        accountId: 'f1',
        purpose: 'copy',
        symbol: 'BTC/USDT',
        side: 'buy',
        type: 'market',
        status: 'PENDING',
        createdAt: at,
      },
    });
    await insertOrders([['json-written', 'BTC/USDT', null, '10', at]]);
    const stored = await db.$queryRaw<{ clientOrderId: string; createdAt: string; kind: string }[]>`
      SELECT "clientOrderId", "createdAt" || '' AS "createdAt", typeof("createdAt") AS kind FROM "Order"
      WHERE "clientOrderId" IN ('prisma-written', 'json-written') ORDER BY "clientOrderId"`;
    expect(stored).toEqual([
      { clientOrderId: 'json-written', createdAt: '2026-11-21T08:00:00.001+00:00', kind: 'text' },
      { clientOrderId: 'prisma-written', createdAt: '2026-11-21T08:00:00.001+00:00', kind: 'text' },
    ]);
    const sameInstant = await db.order.findMany({ where: { createdAt: at }, select: { clientOrderId: true } });
    expect(sameInstant.map((r) => r.clientOrderId).sort()).toEqual(['json-written', 'prisma-written']);
  });

  it('numbers stay numbers: ids join as integers', async () => {
    const [row] = await db.$queryRaw<{ id: number | bigint; kind: string }[]>`
      SELECT r."id" AS id, typeof(r."id") AS kind FROM (${jsonRows(['id'], [[42]])}) AS r`;
    expect(row?.kind).toBe('integer');
    expect(Number(row?.id)).toBe(42);
  });

  it('binds one value however many rows: more rows than SQLite has bound values go in one statement', async () => {
    const count = SQLITE_MAX_BOUND_VALUES + 1000;
    const rows = Array.from({ length: count }, (_, i) => [`bulk-${i}`, 'BTC/USDT', '0.001', null, new Date()]);
    expect(await insertOrders(rows)).toBe(count);
    expect(await db.order.count({ where: { clientOrderId: { startsWith: 'bulk-' } } })).toBe(count);
  });
});
