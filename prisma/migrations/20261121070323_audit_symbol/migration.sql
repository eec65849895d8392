-- AlterTable
ALTER TABLE "AuditLog" ADD COLUMN "symbol" TEXT;
