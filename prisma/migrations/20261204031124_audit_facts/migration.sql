-- AlterTable
ALTER TABLE "AuditLog" ADD COLUMN "facts" TEXT;
