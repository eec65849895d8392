import type { CopyIntent } from '../../generated/prisma/client.ts';
import type { Db } from '../../infra/db/client.ts';
import { statement, transactNow, type Connection } from '../../infra/db/connection.ts';
import { sqliteTime } from '../../infra/db/json-rows.ts';
import { lastPerKey } from '../orders/order-writes.ts';

/** An intent as planned before the event's transaction (status PENDING, SENT or SKIPPED). */
export type NewIntent = Pick<
  CopyIntent,
  'followerId' | 'clientOrderId' | 'mode' | 'freeBefore' | 'amount' | 'status' | 'reason'
>;

const INSERT_INTENT_SQL = `INSERT INTO "CopyIntent" ("eventId", "followerId", "clientOrderId", "mode", "freeBefore",
    "amount", "status", "reason", "createdAt", "updatedAt")
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/**
 * Inserts every follower's intent of one event inside the event's transaction (one prepared
 * statement, run per intent) and returns them as stored — built from what was inserted and the
 * ids SQLite returned, not read back.
 */
export function insertIntents(connection: Connection, eventId: number, intents: NewIntent[], now: Date): CopyIntent[] {
  const insert = statement(connection, INSERT_INTENT_SQL);
  const at = sqliteTime(now);
  return intents.map((i) => {
    const row = {
      eventId,
      followerId: i.followerId,
      clientOrderId: i.clientOrderId,
      mode: i.mode,
      freeBefore: i.freeBefore,
      amount: i.amount,
      status: i.status,
      reason: i.reason,
    };
    const inserted = insert.run(
      eventId,
      row.followerId,
      row.clientOrderId,
      row.mode,
      row.freeBefore,
      row.amount,
      row.status,
      row.reason,
      at,
      at,
    );
    const id = Number(inserted.lastInsertRowid);
    return {
      id,
      ...row,
      detail: null,
      exchangeOrderId: null,
      filledQty: null,
      cost: null,
      createdAt: now,
      updatedAt: now,
    };
  });
}

const WRITE_INTENT_SQL = `UPDATE "CopyIntent" SET "status" = ?, "reason" = ?, "detail" = ?, "mode" = ?, "freeBefore" = ?,
    "amount" = ?, "exchangeOrderId" = ?, "filledQty" = ?, "cost" = ?, "updatedAt" = ? WHERE "id" = ?`;

/**
 * Writes many intents' whole mutable state in one transaction (one prepared statement, run per
 * intent): the fan-out settles a hundred intents within milliseconds. Columns are the CopyIntent
 * model's.
 */
export async function writeIntents(db: Db, intents: CopyIntent[]): Promise<void> {
  const latest = lastPerKey(intents, (i) => i.id);
  if (latest.length === 0) return;
  const updatedAt = sqliteTime(new Date());
  await transactNow(db, (connection) => {
    const update = statement(connection, WRITE_INTENT_SQL);
    for (const i of latest) {
      update.run(
        i.status,
        i.reason,
        i.detail,
        i.mode,
        i.freeBefore,
        i.amount,
        i.exchangeOrderId,
        i.filledQty,
        i.cost,
        updatedAt,
        i.id,
      );
    }
  });
}
