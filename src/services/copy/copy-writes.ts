import { Prisma, type CopyIntent } from '../../generated/prisma/client.ts';
import type { Db } from '../../infra/db/client.ts';
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
  const rows = intents.map(
    (i) =>
      Prisma.sql`(${eventId}, ${i.followerId}, ${i.clientOrderId}, ${i.mode}, ${i.freeBefore}, ${i.amount}, ${i.status}, ${i.reason}, ${now}, ${now})`,
  );
  const returned = await tx.$queryRaw<InsertedId[]>`
    INSERT INTO "CopyIntent" ("eventId", "followerId", "clientOrderId", "mode", "freeBefore", "amount", "status",
      "reason", "createdAt", "updatedAt")
    VALUES ${Prisma.join(rows)}
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
  const rows = lastPerKey(intents, (i) => i.id).map(
    (i) =>
      Prisma.sql`(${i.id}, ${i.status}, ${i.reason}, ${i.detail}, ${i.mode}, ${i.freeBefore}, ${i.amount}, ${i.exchangeOrderId}, ${i.filledQty}, ${i.cost})`,
  );
  if (rows.length === 0) return;
  await db.$executeRaw`
    UPDATE "CopyIntent" SET "status" = v.column2, "reason" = v.column3, "detail" = v.column4, "mode" = v.column5,
      "freeBefore" = v.column6, "amount" = v.column7, "exchangeOrderId" = v.column8, "filledQty" = v.column9,
      "cost" = v.column10, "updatedAt" = ${new Date()}
    FROM (VALUES ${Prisma.join(rows)}) AS v WHERE "CopyIntent"."id" = v.column1`;
}
