import type { Db } from '../../infra/db/client.ts';

/**
 * How close to its order a VP must have been opened to count as opened for it: `place` opens the
 * VP and writes the order row within milliseconds. A VP the trader opened earlier (`/vp open`) is
 * theirs to keep.
 */
const OPENED_FOR_ORDER_MS = 2_000;

/**
 * Drops the VP an order opened when the order ended without a fill and nothing else uses it: no
 * quantity, no realized PnL or fees, no TP/SL, no fill, and no other order that is live or filled.
 * One statement, so an order placed on the VP meanwhile keeps it. True when it was dropped.
 */
export async function dropUnusedVp(db: Db, vpId: number): Promise<boolean> {
  const dropped = await db.$executeRaw`
    DELETE FROM "VirtualPosition" WHERE "id" = ${vpId}
      AND "netQty" = '0' AND "realizedPnl" = '0' AND "fees" = '0' AND "tpPrice" IS NULL AND "slPrice" IS NULL
      AND NOT EXISTS (SELECT 1 FROM "Fill" f WHERE f."vpId" = ${vpId})
      AND NOT EXISTS (SELECT 1 FROM "Order" o WHERE o."vpId" = ${vpId}
        AND (o."status" IN ('PENDING', 'UNKNOWN', 'OPEN', 'PARTIALLY_FILLED') OR o."filledQty" <> '0'))
      AND EXISTS (SELECT 1 FROM "Order" o WHERE o."vpId" = ${vpId}
        AND (julianday(o."createdAt") - julianday("VirtualPosition"."createdAt")) * 86400000 <= ${OPENED_FOR_ORDER_MS})`;
  return dropped > 0;
}
