import type { Prisma, CopyIntent } from '../../generated/prisma/client.ts';
import type { Db } from '../../infra/db/client.ts';
import { jsonRows } from '../../infra/db/json-rows.ts';
import { insertedIds, lastPerKey, type InsertedId } from '../orders/order-writes.ts';

/** An intent as planned before the event's transaction (status PENDING, SENT or SKIPPED). */
export type NewIntent = Pick<
  CopyIntent,
  'followerId' | 'clientOrderId' | 'mode' | 'freeBefore' | 'amount' | 'status' | 'reason'
>;

/**
 * Inserts every follower's intent of one event with one statement (inside the event's
 * transaction) and returns them as stored — built from what was inserted and the ids SQLite
 * returned, not read back (a hundred rows through the ORM cost more than the insert).
 */
export async function insertIntents(
  tx: Prisma.TransactionClient,
  eventId: number,
  intents: NewIntent[],
): Promise<CopyIntent[]> {
  if (intents.length === 0) return [];
  const now = new Date();
  const rows = jsonRows(
    ['followerId', 'clientOrderId', 'mode', 'freeBefore', 'amount', 'status', 'reason'],
    intents.map((i) => [i.followerId, i.clientOrderId, i.mode, i.freeBefore, i.amount, i.status, i.reason]),
  );
  const returned = await tx.$queryRaw<InsertedId[]>`
    INSERT INTO "CopyIntent" ("eventId", "followerId", "clientOrderId", "mode", "freeBefore", "amount", "status",
      "reason", "createdAt", "updatedAt")
    SELECT ${eventId}, r."followerId", r."clientOrderId", r."mode", r."freeBefore", r."amount", r."status", r."reason",
      ${now}, ${now}
    FROM (${rows}) AS r
    RETURNING "id", "clientOrderId"`;
  const idOf = insertedIds(returned, 'intent');
  return intents.map((i) => {
    return {
      id: idOf(i.clientOrderId),
      eventId,
      followerId: i.followerId,
      clientOrderId: i.clientOrderId,
      mode: i.mode,
      freeBefore: i.freeBefore,
      amount: i.amount,
      status: i.status,
      reason: i.reason,
      detail: null,
      exchangeOrderId: null,
      filledQty: null,
      cost: null,
      createdAt: now,
      updatedAt: now,
    };
  });
}

/**
 * Writes many intents' whole mutable state with one statement (UPDATE … FROM VALUES): the
 * fan-out settles a hundred intents within milliseconds. Columns are the CopyIntent model's.
 */
export async function writeIntents(db: Db, intents: CopyIntent[]): Promise<void> {
  const latest = lastPerKey(intents, (i) => i.id);
  if (latest.length === 0) return;
  const rows = jsonRows(
    ['id', 'status', 'reason', 'detail', 'mode', 'freeBefore', 'amount', 'exchangeOrderId', 'filledQty', 'cost'],
    latest.map((i) => [
      i.id,
      i.status,
      i.reason,
      i.detail,
      i.mode,
      i.freeBefore,
      i.amount,
      i.exchangeOrderId,
      i.filledQty,
      i.cost,
    ]),
  );
  await db.$executeRaw`
    UPDATE "CopyIntent" SET "status" = v."status", "reason" = v."reason", "detail" = v."detail", "mode" = v."mode",
      "freeBefore" = v."freeBefore", "amount" = v."amount", "exchangeOrderId" = v."exchangeOrderId",
      "filledQty" = v."filledQty", "cost" = v."cost", "updatedAt" = ${new Date()}
    FROM (${rows}) AS v WHERE "CopyIntent"."id" = v."id"`;
}
