-- DropIndex
DROP INDEX "Payment_organizationId_environment_createdAt_idx";

-- AlterTable
ALTER TABLE "Payment" ADD COLUMN     "deletedAt" TIMESTAMPTZ(3),
ADD COLUMN     "documentDate" TIMESTAMPTZ(3),
ADD COLUMN     "documentNumber" VARCHAR(64),
ADD COLUMN     "externalNumber" VARCHAR(64),
ADD COLUMN     "tags" VARCHAR(64)[] DEFAULT ARRAY[]::VARCHAR(64)[];

-- CreateIndex
CREATE INDEX "Payment_organizationId_environment_createdAt_id_idx" ON "Payment"("organizationId", "environment", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Payment_organizationId_environment_status_createdAt_id_idx" ON "Payment"("organizationId", "environment", "status", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Payment_organizationId_environment_clientId_createdAt_id_idx" ON "Payment"("organizationId", "environment", "clientId", "createdAt", "id");

