import { statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Checkpointer, MAX_FAILED_STARTS, SAFETY_PAGES } from '../../src/infra/db/checkpointer.ts';
import { openDatabase, type OpenedDatabase } from '../../src/infra/db/client.ts';
import { readNow, statement, transactNow } from '../../src/infra/db/connection.ts';
import { tempDir } from '../support/harness.ts';

let opened: OpenedDatabase | undefined;
afterEach(async () => {
  await opened?.db.$disconnect();
  opened = undefined;
});

const settingSql = `INSERT INTO "Setting" ("key", "value", "updatedAt") VALUES (?, ?, 0)
  ON CONFLICT ("key") DO UPDATE SET "value" = excluded."value"`;

/** Writes `rows` settings of 1 KiB each in transactions of 100: ~4 KiB pages, the WAL grows. */
async function write(db: OpenedDatabase['db'], rows: number, prefix: string): Promise<void> {
  for (let done = 0; done < rows; done += 100) {
    await transactNow(db, (connection) => {
      const upsert = statement(connection, settingSql);
      for (let i = done; i < Math.min(rows, done + 100); i++) upsert.run(`${prefix}${i}`, 'x'.repeat(1024));
    });
  }
}

describe('WAL checkpoints off the desk thread', () => {
  it('the desk connection checkpoints only past a far bound, and a database that never grows starts no worker', async () => {
    const file = path.join(tempDir(), 'quiet.db');
    opened = await openDatabase(file);
    await write(opened.db, 200, 'quiet');
    const [row] = await opened.db.$queryRawUnsafe<{ wal_autocheckpoint: bigint }[]>('PRAGMA wal_autocheckpoint');
    expect(Number(row?.wal_autocheckpoint)).toBe(SAFETY_PAGES);
    expect(opened.checkpointer()?.running).toBe(false);
  });

  it('once the WAL grows, a worker checkpoints it while the desk goes on writing, and the WAL starts over', async () => {
    const file = path.join(tempDir(), 'busy.db');
    opened = await openDatabase(file);
    const checkpointer = opened.checkpointer();
    if (!checkpointer) throw new Error('no checkpointer');
    // ~6 MiB of pages: past the 4 MiB start size, far below the desk's own bound.
    await write(opened.db, 6000, 'busy');
    const walBefore = statSync(`${file}-wal`).size;
    expect(walBefore).toBeGreaterThan(4 * 1024 * 1024);
    const report = await checkpointer.checkpointNow();
    expect(checkpointer.running).toBe(true);
    expect(report.busy).toBe(0);
    expect(report.checkpointed).toBe(report.log);
    expect(report.log).toBeGreaterThan(1000);
    // The next commit after a complete checkpoint writes from the WAL's beginning: it does not grow.
    await write(opened.db, 100, 'after');
    const next = await checkpointer.checkpointNow();
    expect(next.log).toBeLessThan(report.log);
    expect(statSync(`${file}-wal`).size).toBe(walBefore);
    // Everything the desk wrote is in the database, read back through Prisma.
    expect(await opened.db.setting.count({ where: { key: { startsWith: 'busy' } } })).toBe(6000);
  });

  it('the worker stops with the connection', async () => {
    const file = path.join(tempDir(), 'closing.db');
    opened = await openDatabase(file);
    await write(opened.db, 5000, 'c');
    const checkpointer = opened.checkpointer();
    if (!checkpointer) throw new Error('no checkpointer');
    await checkpointer.checkpointNow();
    await opened.db.$disconnect();
    opened = undefined;
    expect(checkpointer.running).toBe(false);
    await expect(checkpointer.checkpointNow()).rejects.toThrow(/stopped/);
  });

  it('a worker that cannot start is told about and, after a few in a row, SQLite checkpoints on the desk connection again', async () => {
    opened = await openDatabase(path.join(tempDir(), 'failing.db'));
    const connection = await readNow(opened.db, (c) => c);
    const problems: string[] = [];
    // The worker opens its own connection by file name: this one is not there.
    const failing = new Checkpointer(connection, path.join(tempDir(), 'missing.db'), {
      onProblem: (message) => problems.push(message),
    });
    try {
      for (let i = 0; i < MAX_FAILED_STARTS; i++) await expect(failing.checkpointNow()).rejects.toThrow();
      await waitFor(() => failing.givenUp);
      expect(failing.running).toBe(false);
      expect(Number(connection.pragma('wal_autocheckpoint', { simple: true }))).toBe(1000);
      expect(problems.some((p) => /cannot open .*missing\.db/.test(p))).toBe(true);
      expect(problems.at(-1)).toMatch(/failed 3 times in a row; the desk's own connection checkpoints again/);
      await expect(failing.checkpointNow()).rejects.toThrow(/given up/);
    } finally {
      await failing.stop();
    }
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  const until = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
