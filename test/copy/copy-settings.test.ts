import path from 'node:path';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/infra/db/client.ts';
import { openDatabase } from '../../src/infra/db/client.ts';
import { CopySettingsStore } from '../../src/services/copy/copy-settings.ts';
import { tempDir } from '../support/harness.ts';

/**
 * The copy settings a leader event reads (running flag, leader symbol, follower policies) come
 * from memory after the first read; every write goes to the database first, and a new store (a
 * restart) reads what was written.
 */
let file: string;
let db: Db;
let queries: string[];

function counted(base: Db): Db {
  return base.$extends({
    query: {
      $allOperations({ model, operation, args, query }) {
        queries.push(`${String(model)}.${operation}`);
        return query(args);
      },
    },
  }) as unknown as Db;
}

beforeAll(async () => {
  file = path.join(tempDir(), 'settings.db');
  db = (await openDatabase(file)).db;
  for (const id of ['lead', 'f1', 'f2']) {
    await db.account.create({ data: { id, name: id, exchange: 'binance', market: 'spot', env: 'paper' } });
  }
});
afterAll(async () => db.$disconnect());

describe('copy settings', () => {
  it('are read once, then served from memory, and written through', async () => {
    queries = [];
    const store = new CopySettingsStore(counted(db));
    expect(await store.isRunning()).toBe(false);
    expect(await store.leaderSymbol('lead')).toBe('BTC/USDT');
    const before = queries.length;
    for (let i = 0; i < 5; i++) {
      await store.isRunning();
      await store.leaderSymbol('lead');
      await store.policies(['f1', 'f2']);
    }
    expect(queries.length).toBe(before);

    await store.setRunning(true);
    await store.setLeaderSymbol('lead', 'ETH/USDT');
    await store.setFollower('f1', { mode: 'ratio', ratio: new Decimal('0.5'), maxPerTrade: new Decimal('100') });
    expect(await store.isRunning()).toBe(true);
    expect(await store.leaderSymbol('lead')).toBe('ETH/USDT');
    const policies = await store.policies(['f1', 'f2']);
    expect(policies.get('f1')).toMatchObject({ mode: 'ratio' });
    expect(policies.get('f1')?.ratio?.toFixed()).toBe('0.5');
    expect(policies.get('f1')?.maxPerTrade?.toFixed()).toBe('100');
    expect(policies.get('f2')).toEqual({ mode: 'share', ratio: null, maxPerTrade: null });

    // A fresh store (the desk restarted) reads what was written.
    const again = new CopySettingsStore(db);
    expect(await again.isRunning()).toBe(true);
    expect(await again.leaderSymbol('lead')).toBe('ETH/USDT');
    expect((await again.policies(['f1'])).get('f1')?.ratio?.toFixed()).toBe('0.5');
    await again.setFollower('f1', { ratio: null, mode: 'share' });
    expect((await again.policies(['f1'])).get('f1')).toEqual({
      mode: 'share',
      ratio: null,
      maxPerTrade: new Decimal('100'),
    });
  });
});
