import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/infra/db/client.ts';
import { applyMigrations, MIGRATIONS_DIR, MigrationError, readMigrations } from '../../src/infra/db/migrate.ts';
import { tempDir } from '../support/harness.ts';

const dbFile = () => path.join(tempDir(), 'test.db');

describe('migrations', () => {
  it('build every table from an empty database, with Prisma bookkeeping', () => {
    const file = dbFile();
    const migrations = readMigrations();
    expect(migrations.length).toBeGreaterThan(0);
    const result = applyMigrations(file);
    expect(result.applied).toEqual(migrations.map((m) => m.name));

    const db = new Database(file, { readonly: true });
    const tables = db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((r) => r.name);
    expect(tables).toEqual(
      expect.arrayContaining([
        'Account',
        'AccountGrant',
        'AuditLog',
        'ChatIdentity',
        'Setting',
        'User',
        '_prisma_migrations',
      ]),
    );
    const rows = db
      .prepare<
        [],
        {
          migration_name: string;
          checksum: string;
          finished_at: number;
          applied_steps_count: number;
          rolled_back_at: null;
        }
      >('SELECT * FROM _prisma_migrations ORDER BY migration_name')
      .all();
    expect(rows).toHaveLength(migrations.length);
    for (const [i, m] of migrations.entries()) {
      expect(rows[i]).toMatchObject({ migration_name: m.name, applied_steps_count: 1, rolled_back_at: null });
      expect(rows[i]?.checksum).toBe(createHash('sha256').update(m.sql).digest('hex'));
      expect(rows[i]?.finished_at).toBeGreaterThan(0);
    }
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('re-running applies nothing and keeps the data', async () => {
    const file = dbFile();
    applyMigrations(file);
    const first = await openDatabase(file);
    await first.db.setting.create({ data: { key: 'k', value: 'v' } });
    await first.db.$disconnect();
    const again = applyMigrations(file);
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied).toEqual(readMigrations().map((m) => m.name));
    const second = await openDatabase(file);
    expect(await second.db.setting.findUnique({ where: { key: 'k' } })).toMatchObject({ value: 'v' });
    await second.db.$disconnect();
  });

  it('applies a new migration on the next start, and refuses to go on after a failed one', () => {
    const file = dbFile();
    const dir = path.join(tempDir(), 'migrations');
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    applyMigrations(file, readMigrations(dir));

    mkdirSync(path.join(dir, '29990101000000_add_note'));
    writeFileSync(
      path.join(dir, '29990101000000_add_note', 'migration.sql'),
      'ALTER TABLE "Setting" ADD COLUMN "note" TEXT;\n',
    );
    expect(applyMigrations(file, readMigrations(dir)).applied).toEqual(['29990101000000_add_note']);

    mkdirSync(path.join(dir, '29990102000000_broken'));
    writeFileSync(
      path.join(dir, '29990102000000_broken', 'migration.sql'),
      'ALTER TABLE "Nope" ADD COLUMN "x" TEXT;\n',
    );
    expect(() => applyMigrations(file, readMigrations(dir))).toThrow(/29990102000000_broken failed: no such table/);
    expect(() => applyMigrations(file, readMigrations(dir))).toThrow(MigrationError);
    expect(() => applyMigrations(file, readMigrations(dir))).toThrow(/P3009/);
  });

  it('notices an applied migration that was edited afterwards', () => {
    const file = dbFile();
    const migrations = readMigrations();
    applyMigrations(file, migrations);
    const edited = migrations.map((m, i) => (i === 0 ? { ...m, checksum: 'different' } : m));
    expect(applyMigrations(file, edited).modified).toEqual([migrations[0]?.name]);
  });

  it('opens Prisma in WAL mode with foreign keys enforced', async () => {
    const { db } = await openDatabase(dbFile());
    const [fk] = await db.$queryRawUnsafe<{ foreign_keys: bigint }[]>('PRAGMA foreign_keys');
    expect(Number(fk?.foreign_keys)).toBe(1);
    const [sync] = await db.$queryRawUnsafe<{ synchronous: bigint }[]>('PRAGMA synchronous');
    expect(Number(sync?.synchronous)).toBe(1); // NORMAL
    await expect(db.accountGrant.create({ data: { userId: 999, accountId: 'nope' } })).rejects.toThrow();
    await db.$disconnect();
  });
});
