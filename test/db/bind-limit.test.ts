import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, SQLITE_MAX_BOUND_VALUES, type Db } from '../../src/infra/db/client.ts';
import { tempDir } from '../support/harness.ts';

let db: Db;
beforeAll(async () => {
  ({ db } = await openDatabase(path.join(tempDir(), 'bind-limit.db')));
});
afterAll(async () => db.$disconnect());

describe('bound values per statement', () => {
  it('the figure the desk gives Prisma is the one better-sqlite3’s SQLite enforces', () => {
    const sqlite = new Database(':memory:');
    const inList = (n: number) => `SELECT 1 WHERE 1 IN (${Array.from({ length: n }, () => '?').join(',')})`;
    expect(() =>
      sqlite.prepare(inList(SQLITE_MAX_BOUND_VALUES)).get(...Array<number>(SQLITE_MAX_BOUND_VALUES).fill(1)),
    ).not.toThrow();
    expect(() => sqlite.prepare(inList(SQLITE_MAX_BOUND_VALUES + 1))).toThrow(/too many SQL variables/);
    sqlite.close();
  });

  it('600 fills looked up at once by (account, symbol, trade id) — one batched query — all answer', async () => {
    // Prisma folds findUnique calls issued together into one query: three values per fill, so
    // with its default of 999 it refused this from 334 fills on.
    const found = await Promise.all(
      Array.from({ length: 600 }, (_, i) =>
        db.fill.findUnique({
          where: { accountId_symbol_tradeId: { accountId: `f${i}`, symbol: 'BTC/USDT', tradeId: `t${i}` } },
          select: { id: true },
        }),
      ),
    );
    expect(found).toEqual(Array.from({ length: 600 }, () => null));
  });
});
