-- AlterTable
ALTER TABLE "Account" ADD COLUMN "keyPermissions" TEXT;
