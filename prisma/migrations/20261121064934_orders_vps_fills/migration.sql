-- CreateTable
CREATE TABLE "AccountCode" (
    "code" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "accountId" TEXT NOT NULL,
    CONSTRAINT "AccountCode_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "VirtualPosition" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "accountId" TEXT NOT NULL,
    "symbol" TEXT NOT NULL,
    "positionSide" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "netQty" TEXT NOT NULL DEFAULT '0',
    "avgEntry" TEXT NOT NULL DEFAULT '0',
    "realizedPnl" TEXT NOT NULL DEFAULT '0',
    "fees" TEXT NOT NULL DEFAULT '0',
    "tpPrice" TEXT,
    "slPrice" TEXT,
    "tpClientId" TEXT,
    "slClientId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Order" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "clientOrderId" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "vpId" INTEGER,
    "purpose" TEXT NOT NULL,
    "symbol" TEXT NOT NULL,
    "side" TEXT NOT NULL,
    "positionSide" TEXT,
    "type" TEXT NOT NULL,
    "amount" TEXT,
    "cost" TEXT,
    "price" TEXT,
    "triggerPrice" TEXT,
    "reduceOnly" BOOLEAN NOT NULL DEFAULT false,
    "status" TEXT NOT NULL,
    "exchangeOrderId" TEXT,
    "filledQty" TEXT NOT NULL DEFAULT '0',
    "avgPrice" TEXT,
    "error" TEXT,
    "userId" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Fill" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "accountId" TEXT NOT NULL,
    "symbol" TEXT NOT NULL,
    "tradeId" TEXT NOT NULL,
    "exchangeOrderId" TEXT NOT NULL,
    "clientOrderId" TEXT,
    "side" TEXT NOT NULL,
    "positionSide" TEXT NOT NULL,
    "qty" TEXT NOT NULL,
    "price" TEXT NOT NULL,
    "fee" TEXT NOT NULL,
    "vpId" INTEGER,
    "externalQty" TEXT NOT NULL DEFAULT '0',
    "realizedPnl" TEXT NOT NULL DEFAULT '0',
    "kind" TEXT NOT NULL DEFAULT 'trade',
    "at" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "RiskLimit" (
    "accountId" TEXT NOT NULL PRIMARY KEY,
    "maxOrderNotional" TEXT,
    "maxPositionNotional" TEXT,
    "maxOpenOrders" INTEGER,
    "maxDailyLoss" TEXT,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "RiskLimit_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "AccountCode_accountId_key" ON "AccountCode"("accountId");

-- CreateIndex
CREATE INDEX "VirtualPosition_accountId_symbol_positionSide_idx" ON "VirtualPosition"("accountId", "symbol", "positionSide");

-- CreateIndex
CREATE UNIQUE INDEX "VirtualPosition_accountId_symbol_positionSide_name_key" ON "VirtualPosition"("accountId", "symbol", "positionSide", "name");

-- CreateIndex
CREATE UNIQUE INDEX "Order_clientOrderId_key" ON "Order"("clientOrderId");

-- CreateIndex
CREATE INDEX "Order_accountId_status_idx" ON "Order"("accountId", "status");

-- CreateIndex
CREATE INDEX "Order_accountId_exchangeOrderId_idx" ON "Order"("accountId", "exchangeOrderId");

-- CreateIndex
CREATE INDEX "Fill_accountId_symbol_positionSide_idx" ON "Fill"("accountId", "symbol", "positionSide");

-- CreateIndex
CREATE INDEX "Fill_accountId_at_idx" ON "Fill"("accountId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "Fill_accountId_symbol_tradeId_key" ON "Fill"("accountId", "symbol", "tradeId");
