import type { Order } from '../../generated/prisma/client.ts';
import type { Db } from '../../infra/db/client.ts';
import { statement, transactNow, type Connection } from '../../infra/db/connection.ts';
import { sqliteTime } from '../../infra/db/json-rows.ts';

/** One order's state as the tracker writes it. */
export interface OrderStateWrite {
  id: number;
  status: string;
  filledQty: string;
  avgPrice: string | null;
  exchangeOrderId: string | null;
  error: string | null;
}

/** The last write for each key wins, in arrival order. */
export function lastPerKey<T>(items: T[], key: (item: T) => string | number): T[] {
  return [...new Map(items.map((item) => [key(item), item])).values()];
}

// The hot statements bind their values by position (a third cheaper per row than named values
// and RETURNING, measured on this schema), in the order of their placeholders.
const WRITE_ORDER_STATE_SQL = `UPDATE "Order" SET "exchangeOrderId" = ?, "status" = ?, "filledQty" = ?, "avgPrice" = ?,
    "error" = ?, "updatedAt" = ? WHERE "id" = ?`;

/**
 * Writes many orders' states in one transaction (one prepared statement, run per order): the hot
 * path of a copy fan-out, whose hundred answers come within milliseconds. Only the order tracker
 * calls it; the columns are the Order model's (prisma/schema.prisma), and the tests that run
 * every order through here fail if they drift.
 */
export async function writeOrderStates(db: Db, items: OrderStateWrite[]): Promise<void> {
  const latest = lastPerKey(items, (i) => i.id);
  if (latest.length === 0) return;
  const updatedAt = sqliteTime(new Date());
  await transactNow(db, (connection) => {
    const update = statement(connection, WRITE_ORDER_STATE_SQL);
    for (const i of latest) {
      update.run(i.exchangeOrderId, i.status, i.filledQty, i.avgPrice, i.error, updatedAt, i.id);
    }
  });
}

/** A copy order row written before it is sent (the copy engine writes one per follower at once). */
export interface NewCopyOrder {
  clientOrderId: string;
  accountId: string;
  symbol: string;
  side: 'buy' | 'sell';
  amount: string | null;
  cost: string | null;
}

const INSERT_COPY_ORDER_SQL = `INSERT INTO "Order" ("clientOrderId", "accountId", "purpose", "symbol", "side", "type",
    "amount", "cost", "status", "createdAt", "updatedAt")
  VALUES (?, ?, 'copy', ?, ?, 'market', ?, ?, 'PENDING', ?, ?)`;

/**
 * Inserts PENDING market copy orders inside the caller's transaction (the event's: one prepared
 * statement, run per order) and returns their rows as stored, built from the insert and the ids
 * SQLite returned.
 */
export function insertCopyOrderRows(connection: Connection, orders: NewCopyOrder[], now: Date): Order[] {
  const insert = statement(connection, INSERT_COPY_ORDER_SQL);
  const at = sqliteTime(now);
  return orders.map((o) => {
    const id = Number(
      insert.run(o.clientOrderId, o.accountId, o.symbol, o.side, o.amount, o.cost, at, at).lastInsertRowid,
    );
    return {
      id,
      clientOrderId: o.clientOrderId,
      accountId: o.accountId,
      vpId: null,
      purpose: 'copy',
      symbol: o.symbol,
      side: o.side,
      positionSide: null,
      type: 'market',
      amount: o.amount,
      cost: o.cost,
      price: null,
      triggerPrice: null,
      reduceOnly: false,
      status: 'PENDING',
      exchangeOrderId: null,
      filledQty: '0',
      avgPrice: null,
      error: null,
      userId: null,
      createdAt: now,
      updatedAt: now,
    };
  });
}

/** The same, in a transaction of its own. */
export function insertCopyOrders(db: Db, orders: NewCopyOrder[]): Promise<Order[]> {
  return transactNow(db, (connection) => insertCopyOrderRows(connection, orders, new Date()));
}
