import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from '../../generated/prisma/client.ts';
import { makePrivateDir, PRIVATE_FILE_MODE, tightenFile } from '../data-dir.ts';
import { Checkpointer } from './checkpointer.ts';
import { attachConnection, type Connection } from './connection.ts';
import { applyMigrations, type MigrationResult } from './migrate.ts';

export type Db = PrismaClient;
export type { MigrationResult };

export interface OpenedDatabase {
  db: Db;
  migrations: MigrationResult;
  /** The WAL checkpoints' worker of the current connection (checkpointer.ts). */
  checkpointer: () => Checkpointer | undefined;
}

/**
 * SQLite as better-sqlite3 builds it binds up to 32766 values per statement (SQLite ≥ 3.32).
 * Prisma assumes the 999 of older builds unless the adapter says otherwise, and refuses (P2029)
 * the one query it makes of findUnique calls issued together once they bind more: 334 lookups
 * by a three-column key (prisma/orm#23957). test/db/bind-limit.test.ts holds the figure to the
 * library's behaviour.
 */
export const SQLITE_MAX_BOUND_VALUES = 32_766;

class BetterSqlite3 extends PrismaBetterSqlite3 {
  /** The adapter's connection, once Prisma has connected (see connection.ts). */
  connection: Connection | undefined;
  checkpointer: Checkpointer | undefined;

  constructor(
    private readonly databaseFile: string,
    private readonly onCheckpointProblem?: (message: string) => void,
  ) {
    super({ url: `file:${databaseFile}`, timeout: 5000 });
  }

  override async connect(): ReturnType<PrismaBetterSqlite3['connect']> {
    const adapter = await super.connect();
    const connection = (adapter as unknown as { client: Connection }).client;
    this.connection = connection;
    // The connection's WAL checkpoints run on a worker thread of their own (checkpointer.ts),
    // stopped before the connection closes.
    const checkpointer = new Checkpointer(connection, this.databaseFile, { onProblem: this.onCheckpointProblem });
    this.checkpointer = checkpointer;
    const dispose = adapter.dispose.bind(adapter);
    return Object.assign(adapter, {
      getConnectionInfo: () => ({ maxBindValues: SQLITE_MAX_BOUND_VALUES, supportsRelationJoins: false }),
      dispose: async () => {
        await checkpointer.stop();
        await dispose();
      },
    });
  }
}

/** The database and the files SQLite keeps next to it. */
export function databaseFiles(databaseFile: string): string[] {
  return [databaseFile, `${databaseFile}-wal`, `${databaseFile}-shm`, `${databaseFile}-journal`];
}

/**
 * The database file is created here, 0600, before SQLite opens it: SQLite gives the -wal, -shm
 * and -journal files it creates the permissions of the database file (its unix VFS copies
 * them), so those are 0600 too, whatever the process umask. Files an older version left open
 * to others are tightened.
 */
function preparePrivateDatabase(databaseFile: string): void {
  makePrivateDir(path.dirname(databaseFile), 'DATABASE_URL');
  closeSync(openSync(databaseFile, 'a', PRIVATE_FILE_MODE));
  for (const file of databaseFiles(databaseFile)) tightenFile(file);
}

/** Migrates the SQLite file, then opens Prisma on it in WAL mode with foreign keys on. */
export async function openDatabase(
  databaseFile: string,
  options: { onCheckpointProblem?: (message: string) => void } = {},
): Promise<OpenedDatabase> {
  preparePrivateDatabase(databaseFile);
  const migrations = applyMigrations(databaseFile);
  const adapter = new BetterSqlite3(databaseFile, options.onCheckpointProblem);
  const db = new PrismaClient({ adapter });
  // WAL itself is persistent in the file; these two are per connection.
  await db.$queryRawUnsafe('PRAGMA synchronous = NORMAL');
  await db.$queryRawUnsafe('PRAGMA foreign_keys = ON');
  if (!adapter.connection) throw new Error('the SQLite adapter did not connect');
  attachConnection(db, adapter.connection);
  for (const file of databaseFiles(databaseFile)) tightenFile(file);
  return { db, migrations, checkpointer: () => adapter.checkpointer };
}
