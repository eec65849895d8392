-- A leader order is one event by what the exchange guarantees unique: the desk's own client order
-- id when the desk placed it (ids of ours start with hs1), else (symbol, exchange order id).
-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_CopyEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "leaderId" TEXT NOT NULL,
    "leaderOrderId" TEXT NOT NULL,
    "leaderKey" TEXT NOT NULL,
    "leaderClientId" TEXT,
    "symbol" TEXT NOT NULL,
    "side" TEXT NOT NULL,
    "fraction" TEXT NOT NULL,
    "quoteFilled" TEXT NOT NULL,
    "baseFilled" TEXT NOT NULL,
    "freeBefore" TEXT NOT NULL,
    "filledAt" DATETIME NOT NULL,
    "status" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "new_CopyEvent" ("baseFilled", "createdAt", "filledAt", "fraction", "freeBefore", "id", "leaderClientId", "leaderId", "leaderOrderId", "leaderKey", "quoteFilled", "side", "status", "symbol") SELECT "baseFilled", "createdAt", "filledAt", "fraction", "freeBefore", "id", "leaderClientId", "leaderId", "leaderOrderId", CASE WHEN "leaderClientId" LIKE 'hs1%' THEN 'c:' || "leaderClientId" ELSE 'o:' || "symbol" || ':' || "leaderOrderId" END, "quoteFilled", "side", "status", "symbol" FROM "CopyEvent";
DROP TABLE "CopyEvent";
ALTER TABLE "new_CopyEvent" RENAME TO "CopyEvent";
CREATE INDEX "CopyEvent_leaderId_leaderOrderId_idx" ON "CopyEvent"("leaderId", "leaderOrderId");
CREATE INDEX "CopyEvent_createdAt_idx" ON "CopyEvent"("createdAt");
CREATE UNIQUE INDEX "CopyEvent_leaderId_leaderKey_key" ON "CopyEvent"("leaderId", "leaderKey");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
