import type BetterSqlite3 from 'better-sqlite3';
import type { Db } from './client.ts';

export type Connection = BetterSqlite3.Database;
export type Statement = BetterSqlite3.Statement;

/** Where openDatabase leaves the adapter's own connection on the client (an extended client sees it too). */
const CONNECTION = Symbol.for('hedgestack.db.connection');

/** Statements of the hot paths, prepared once per connection (Prisma's adapter prepares every query anew). */
const prepared = new WeakMap<Connection, Map<string, Statement>>();

export function attachConnection(db: Db, connection: Connection): void {
  Object.defineProperty(db, CONNECTION, { value: connection, enumerable: false });
}

function connectionOf(db: Db): Connection {
  const connection = (db as unknown as { [CONNECTION]?: Connection })[CONNECTION];
  if (!connection) throw new Error('no SQLite connection on this client: open it with openDatabase');
  return connection;
}

/** A prepared statement of `sql` on this connection, integers as JS numbers (row ids, counts). */
export function statement(connection: Connection, sql: string): Statement {
  let statements = prepared.get(connection);
  if (!statements) {
    statements = new Map();
    prepared.set(connection, statements);
  }
  let found = statements.get(sql);
  if (!found) {
    found = connection.prepare(sql);
    if (found.reader) found.safeIntegers(false);
    statements.set(sql, found);
  }
  return found;
}

/**
 * Runs `work` as one SQLite transaction, synchronously, on the connection Prisma's adapter uses.
 *
 * Why: the fills and a copy fan-out's rows are the desk's hottest writes, and through Prisma each
 * statement costs its query planning, value mapping and a statement prepared anew — ~0.2 ms of CPU
 * a statement here, where the statement itself takes ~0.01 ms. better-sqlite3 is synchronous, so
 * nothing else can run on the connection between this BEGIN and its COMMIT; a Prisma transaction
 * that is open (it awaits between its statements) is waited out first, so this never lands inside
 * it. A throw inside `work` rolls everything back and reaches the caller.
 */
export async function transactNow<T>(db: Db, work: (connection: Connection) => T): Promise<T> {
  return whenIdle(db, (connection) => connection.transaction(() => work(connection)).immediate());
}

/** Runs `work` (reads) synchronously on the connection, once no Prisma transaction holds it open. */
export async function readNow<T>(db: Db, work: (connection: Connection) => T): Promise<T> {
  return whenIdle(db, work);
}

/**
 * Runs `work` on the client's connection once no Prisma transaction holds it open (one awaits
 * between its statements) — in the same turn as that check, so none can begin in between.
 */
async function whenIdle<T>(db: Db, work: (connection: Connection) => T): Promise<T> {
  const connection = connectionOf(db);
  while (connection.inTransaction) await new Promise((resolve) => setImmediate(resolve));
  return work(connection);
}
