-- CreateTable
CREATE TABLE "CopySettings" (
    "accountId" TEXT NOT NULL PRIMARY KEY,
    "symbol" TEXT NOT NULL DEFAULT 'BTC/USDT',
    "mode" TEXT NOT NULL DEFAULT 'share',
    "ratio" TEXT,
    "maxPerTrade" TEXT,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "CopySettings_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "CopyEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "leaderId" TEXT NOT NULL,
    "leaderOrderId" TEXT NOT NULL,
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

-- CreateTable
CREATE TABLE "CopyIntent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "eventId" INTEGER NOT NULL,
    "followerId" TEXT NOT NULL,
    "clientOrderId" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "freeBefore" TEXT,
    "amount" TEXT,
    "status" TEXT NOT NULL,
    "reason" TEXT,
    "detail" TEXT,
    "exchangeOrderId" TEXT,
    "filledQty" TEXT,
    "cost" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "CopyIntent_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "CopyEvent" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "CopyEvent_createdAt_idx" ON "CopyEvent"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "CopyEvent_leaderId_leaderOrderId_key" ON "CopyEvent"("leaderId", "leaderOrderId");

-- CreateIndex
CREATE UNIQUE INDEX "CopyIntent_clientOrderId_key" ON "CopyIntent"("clientOrderId");

-- CreateIndex
CREATE INDEX "CopyIntent_status_idx" ON "CopyIntent"("status");

-- CreateIndex
CREATE INDEX "CopyIntent_followerId_createdAt_idx" ON "CopyIntent"("followerId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "CopyIntent_eventId_followerId_key" ON "CopyIntent"("eventId", "followerId");
