import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from '../../generated/prisma/client.ts';
import { applyMigrations, type MigrationResult } from './migrate.ts';

export type Db = PrismaClient;
export type { MigrationResult };

export interface OpenedDatabase {
  db: Db;
  migrations: MigrationResult;
}

/** Migrates the SQLite file, then opens Prisma on it in WAL mode with foreign keys on. */
export async function openDatabase(databaseFile: string): Promise<OpenedDatabase> {
  mkdirSync(path.dirname(databaseFile), { recursive: true });
  const migrations = applyMigrations(databaseFile);
  const adapter = new PrismaBetterSqlite3({ url: `file:${databaseFile}`, timeout: 5000 });
  const db = new PrismaClient({ adapter });
  // WAL itself is persistent in the file; these two are per connection.
  await db.$queryRawUnsafe('PRAGMA synchronous = NORMAL');
  await db.$queryRawUnsafe('PRAGMA foreign_keys = ON');
  return { db, migrations };
}
