-- DropIndex
DROP INDEX "CopyIntent_clientOrderId_key";
