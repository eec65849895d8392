import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/harness.ts';

let desk: TestApp;
const base = Date.parse('2026-01-10T00:00:00Z');
const minute = 60_000;

/** 130 rows: three accounts, two users, four commands, every fifth refused; one a minute. */
beforeAll(async () => {
  desk = await startTestApp();
  const { db } = desk.app.services;
  const commands = ['order', 'copy start', 'copy stop', 'web people.add'];
  await db.auditLog.createMany({
    data: Array.from({ length: 130 }, (_, i) => ({
      at: new Date(base + i * minute),
      userId: i % 2 === 0 ? 1 : 2,
      platform: i % 3 === 0 ? ('web' as const) : ('telegram' as const),
      externalId: String(i % 2),
      command: commands[i % 4] ?? 'order',
      accountId: ['main', 'f1', 'sub_a'][i % 3] ?? null,
      outcome: i % 5 === 0 ? 'refused' : 'ok',
      detail: `row ${i}`,
    })),
  });
});
afterAll(async () => {
  await desk.close();
});

const audit = () => desk.app.services.audit;

describe('audit query', () => {
  it('pages newest first with the total', async () => {
    const first = await audit().query({ pageSize: 50 });
    expect(first.total).toBe(130);
    expect(first.pages).toBe(3);
    expect(first.rows.map((r) => r.detail).slice(0, 2)).toEqual(['row 129', 'row 128']);
    const last = await audit().query({ pageSize: 50, page: 3 });
    expect(last.rows).toHaveLength(30);
    expect(last.rows.at(-1)?.detail).toBe('row 0');
    expect((await audit().query({ pageSize: 50, page: 99 })).page).toBe(3);
  });

  it('filters by account, user, outcome and command (a command includes its subcommands)', async () => {
    const f1 = await audit().query({ accountId: 'f1', pageSize: 200 });
    expect(f1.total).toBe(43);
    expect(f1.rows.every((r) => r.accountId === 'f1')).toBe(true);

    const copy = await audit().query({ command: 'copy', pageSize: 200 });
    expect(copy.total).toBe(65);
    expect(new Set(copy.rows.map((r) => r.command))).toEqual(new Set(['copy start', 'copy stop']));
    expect((await audit().query({ command: 'copy start' })).total).toBe(33);
    expect((await audit().query({ command: 'cop' })).total).toBe(0);

    const refusedByTwo = await audit().query({ userId: 2, outcome: 'refused', pageSize: 200 });
    expect(refusedByTwo.rows.map((r) => r.detail)).toEqual([
      'row 125',
      'row 115',
      'row 105',
      'row 95',
      'row 85',
      'row 75',
      'row 65',
      'row 55',
      'row 45',
      'row 35',
      'row 25',
      'row 15',
      'row 5',
    ]);
  });

  it('filters by a time range, both ends included', async () => {
    const range = await audit().query({
      from: new Date(base + 10 * minute),
      to: new Date(base + 19 * minute),
    });
    expect(range.total).toBe(10);
    expect(range.rows[0]?.detail).toBe('row 19');
    expect(range.rows.at(-1)?.detail).toBe('row 10');
  });

  it('combines filters with pagination', async () => {
    const p1 = await audit().query({ accountId: 'main', outcome: 'ok', pageSize: 10, page: 1 });
    const p2 = await audit().query({ accountId: 'main', outcome: 'ok', pageSize: 10, page: 2 });
    expect(p1.total).toBe(p2.total);
    expect(p1.rows[0]?.id).toBeGreaterThan(p2.rows[0]?.id ?? Infinity);
    const ids = new Set([...p1.rows, ...p2.rows].map((r) => r.id));
    expect(ids.size).toBe(20);
  });

  it('lists the commands the log holds', async () => {
    expect(await audit().commands()).toEqual(['copy start', 'copy stop', 'order', 'web people.add']);
  });
});
