import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/infra/db/client.ts';
import { readNow, statement, transactNow } from '../../src/infra/db/connection.ts';
import { insertCopyOrders } from '../../src/services/orders/order-writes.ts';
import { tempDir } from '../support/harness.ts';

let db: Db;
beforeAll(async () => {
  ({ db } = await openDatabase(path.join(tempDir(), 'connection.db')));
  await db.account.create({ data: { id: 'f1', name: 'f1', exchange: 'bitget', market: 'spot', env: 'paper' } });
});
afterAll(async () => db.$disconnect());

const countOrders = () =>
  readNow(db, (c) => (statement(c, `SELECT COUNT(*) AS n FROM "Order"`).get() as { n: number }).n);

describe('hot writes on the adapter’s own connection', () => {
  it('a row written there reads back through Prisma as written, its times the same instants', async () => {
    const [row] = await insertCopyOrders(db, [
      { clientOrderId: 'conn1', accountId: 'f1', symbol: 'BTC/USDT', side: 'buy', amount: null, cost: '12.5' },
    ]);
    const stored = await db.order.findUniqueOrThrow({ where: { clientOrderId: 'conn1' } });
    expect(stored).toEqual(row);
  });

  it('waits out a Prisma transaction that is open, so it never writes inside it (and is never rolled back with it)', async () => {
    const before = await countOrders();
    let inside: Promise<unknown> | undefined;
    await expect(
      db.$transaction(async (tx) => {
        await tx.setting.create({ data: { key: 'conn.rollback', value: '1' } });
        inside = insertCopyOrders(db, [
          { clientOrderId: 'conn2', accountId: 'f1', symbol: 'BTC/USDT', side: 'buy', amount: null, cost: '1' },
        ]);
        await new Promise((r) => setTimeout(r, 20));
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await inside;
    expect(await countOrders()).toBe(before + 1);
    expect(await db.setting.findUnique({ where: { key: 'conn.rollback' } })).toBeNull();
  });

  it('a throw inside the work rolls all of it back', async () => {
    const before = await countOrders();
    await expect(
      transactNow(db, (c) => {
        statement(
          c,
          `INSERT INTO "Order" ("clientOrderId", "accountId", "purpose", "symbol", "side", "type", "status", "createdAt", "updatedAt")
          VALUES ('conn3', 'f1', 'copy', 'BTC/USDT', 'buy', 'market', 'PENDING', '2026-01-01T00:00:00.000+00:00', '2026-01-01T00:00:00.000+00:00')`,
        ).run();
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(await countOrders()).toBe(before);
  });
});
