import type { Prisma, Order } from '../../generated/prisma/client.ts';
import type { Db } from '../../infra/db/client.ts';
import { jsonRows } from '../../infra/db/json-rows.ts';

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

/**
 * Writes many orders' states with one statement (UPDATE … FROM VALUES; SQLite ≥ 3.33): the hot
 * path of a copy fan-out, whose hundred answers come within milliseconds. Only the order tracker
 * calls it; the columns are the Order model's (prisma/schema.prisma), and the tests that run
 * every order through here fail if they drift.
 */
export async function writeOrderStates(db: Db, items: OrderStateWrite[]): Promise<void> {
  const latest = lastPerKey(items, (i) => i.id);
  if (latest.length === 0) return;
  const rows = jsonRows(
    ['id', 'exchangeOrderId', 'status', 'filledQty', 'avgPrice', 'error'],
    latest.map((i) => [i.id, i.exchangeOrderId, i.status, i.filledQty, i.avgPrice, i.error]),
  );
  await db.$executeRaw`
    UPDATE "Order" SET "exchangeOrderId" = v."exchangeOrderId", "status" = v."status", "filledQty" = v."filledQty",
      "avgPrice" = v."avgPrice", "error" = v."error", "updatedAt" = ${new Date()}
    FROM (${rows}) AS v WHERE "Order"."id" = v."id"`;
}

/** What `INSERT … RETURNING "id", "clientOrderId"` answers (SQLite may give ids as bigint). */
export type InsertedId = { id: number | bigint; clientOrderId: string };

/** Each inserted row's id by its client order id; a row the insert did not return is an error. */
export function insertedIds(returned: InsertedId[], what: string): (clientOrderId: string) => number {
  const ids = new Map(returned.map((r) => [r.clientOrderId, Number(r.id)]));
  return (clientOrderId) => {
    const id = ids.get(clientOrderId);
    if (id === undefined) throw new Error(`${what} ${clientOrderId} was not inserted`);
    return id;
  };
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

/**
 * Inserts PENDING market copy orders with one statement (inside the event's transaction) and
 * returns their rows as stored, built from the insert and the ids SQLite returned.
 */
export async function insertCopyOrders(db: Prisma.TransactionClient | Db, orders: NewCopyOrder[]): Promise<Order[]> {
  if (orders.length === 0) return [];
  const now = new Date();
  const rows = jsonRows(
    ['clientOrderId', 'accountId', 'symbol', 'side', 'amount', 'cost'],
    orders.map((o) => [o.clientOrderId, o.accountId, o.symbol, o.side, o.amount, o.cost]),
  );
  const returned = await db.$queryRaw<InsertedId[]>`
    INSERT INTO "Order" ("clientOrderId", "accountId", "purpose", "symbol", "side", "type", "amount", "cost",
      "status", "createdAt", "updatedAt")
    SELECT r."clientOrderId", r."accountId", 'copy', r."symbol", r."side", 'market', r."amount", r."cost", 'PENDING',
      ${now}, ${now} FROM (${rows}) AS r
    RETURNING "id", "clientOrderId"`;
  const idOf = insertedIds(returned, 'copy order');
  return orders.map((o) => {
    return {
      id: idOf(o.clientOrderId),
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
