import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/**
 * Applies `prisma/migrations` at start-up without Prisma's native engine, writing Prisma's own
 * `_prisma_migrations` bookkeeping so that `prisma migrate deploy`/`status` on a connected machine
 * see the same history. Each script runs as one batch outside a transaction, as Prisma does
 * (its table-rebuild scripts toggle `PRAGMA foreign_keys`, a no-op inside a transaction).
 */
export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../../../prisma/migrations');

const BOOKKEEPING_DDL = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
  /** Applied migrations whose file changed since; Prisma warns about these too. */
  modified: string[];
}

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort((a, b) => a.localeCompare(b)) // the order Prisma's CLI lists them in
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: number | string | null;
  logs: string | null;
}

export function applyMigrations(databaseFile: string, migrations = readMigrations()): MigrationResult {
  const db = new Database(databaseFile);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    db.exec(BOOKKEEPING_DDL);
    const rows = db
      .prepare<[], AppliedRow>(
        'SELECT migration_name, checksum, finished_at, logs FROM _prisma_migrations WHERE rolled_back_at IS NULL',
      )
      .all();
    const failed = rows.find((r) => r.finished_at === null);
    if (failed) {
      throw new MigrationError(
        `migration ${failed.migration_name} failed earlier and was not rolled back (Prisma P3009); ` +
          `restore the database from a backup or mark it rolled back before starting again. ${failed.logs ?? ''}`.trim(),
      );
    }
    const done = new Map(rows.map((r) => [r.migration_name, r.checksum]));
    const result: MigrationResult = { applied: [], alreadyApplied: [], modified: [] };
    for (const m of migrations) {
      const checksum = done.get(m.name);
      if (checksum !== undefined) {
        result.alreadyApplied.push(m.name);
        if (checksum !== m.checksum && checksum !== crlfVariant(m.sql)) result.modified.push(m.name);
        continue;
      }
      applyOne(db, m);
      result.applied.push(m.name);
    }
    return result;
  } finally {
    db.close();
  }
}

function applyOne(db: Database.Database, m: Migration): void {
  const id = randomUUID();
  db.prepare(
    'INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count) VALUES (?, ?, ?, ?, 0)',
  ).run(id, m.checksum, m.name, Date.now());
  try {
    db.exec(m.sql);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    db.prepare('UPDATE _prisma_migrations SET logs = ? WHERE id = ?').run(message, id);
    throw new MigrationError(`migration ${m.name} failed: ${message}`);
  }
  db.prepare(
    'UPDATE _prisma_migrations SET finished_at = ?, applied_steps_count = applied_steps_count + 1 WHERE id = ?',
  ).run(Date.now(), id);
}

function crlfVariant(sql: string): string {
  const other = sql.includes('\r\n') ? sql.replace(/\r\n/g, '\n') : sql.replace(/\n/g, '\r\n');
  return createHash('sha256').update(other).digest('hex');
}
