-- CreateTable
CREATE TABLE "AlertSubscription" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "platform" TEXT NOT NULL,
    "destination" TEXT NOT NULL,
    "categories" TEXT NOT NULL DEFAULT '*',
    "minSeverity" TEXT NOT NULL DEFAULT 'info',
    "language" TEXT NOT NULL DEFAULT 'en',
    "userId" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "AlertSubscription_platform_destination_key" ON "AlertSubscription"("platform", "destination");
