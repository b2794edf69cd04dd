-- CreateEnum
CREATE TYPE "Environment" AS ENUM ('LIVE', 'TEST');

-- AlterEnum
ALTER TYPE "Role" ADD VALUE 'VIEWER';

-- DropForeignKey
ALTER TABLE "PaymentGatewayClub" DROP CONSTRAINT "PaymentGatewayClub_gatewayId_organizationId_fkey";

-- DropIndex
DROP INDEX "PaymentGateway_organizationId_type_publicId_key";

-- DropIndex
DROP INDEX "Payment_organizationId_createdAt_idx";

-- DropIndex
DROP INDEX "Payment_organizationId_idempotencyKey_key";

-- DropIndex
DROP INDEX "Refund_organizationId_idempotencyKey_key";

-- DropIndex
DROP INDEX "LedgerEntry_organizationId_clientId_at_idx";

-- DropIndex
DROP INDEX "LedgerEntry_organizationId_idempotencyKey_key";

-- AlterTable
ALTER TABLE "Organization" ADD COLUMN     "code" VARCHAR(32),
ADD COLUMN     "defaultCurrency" VARCHAR(3) NOT NULL DEFAULT 'RUB',
ADD COLUMN     "timeZone" VARCHAR(64) NOT NULL DEFAULT 'Europe/Moscow';

-- Hand-written: organizations made before codes existed get one derived from their id.
UPDATE "Organization" SET "code" = 'ORG-' || upper(substr(md5("id"), 1, 8)) WHERE "code" IS NULL;
ALTER TABLE "Organization" ALTER COLUMN "code" SET NOT NULL;

-- AlterTable
ALTER TABLE "ApiToken" ADD COLUMN     "environment" "Environment" NOT NULL DEFAULT 'LIVE',
ADD COLUMN     "rateLimitPerMinute" INTEGER;

-- AlterTable
ALTER TABLE "Client" ADD COLUMN     "testBalance" DECIMAL(20,4) NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "PaymentGateway" ADD COLUMN     "environment" "Environment" NOT NULL DEFAULT 'LIVE';

-- AlterTable
ALTER TABLE "PaymentGatewayClub" DROP CONSTRAINT "PaymentGatewayClub_pkey",
ADD COLUMN     "environment" "Environment" NOT NULL DEFAULT 'LIVE',
ADD CONSTRAINT "PaymentGatewayClub_pkey" PRIMARY KEY ("organizationId", "clubId", "environment");

-- AlterTable
ALTER TABLE "Payment" ADD COLUMN     "environment" "Environment" NOT NULL DEFAULT 'LIVE';

-- AlterTable
ALTER TABLE "Refund" ADD COLUMN     "environment" "Environment" NOT NULL DEFAULT 'LIVE';

-- AlterTable
ALTER TABLE "LedgerEntry" ADD COLUMN     "environment" "Environment" NOT NULL DEFAULT 'LIVE';

-- AlterTable
ALTER TABLE "WebhookEndpoint" ADD COLUMN     "environment" "Environment" NOT NULL DEFAULT 'LIVE';

-- AlterTable
ALTER TABLE "WebhookDelivery" ADD COLUMN     "environment" "Environment" NOT NULL DEFAULT 'LIVE';

-- AlterTable
ALTER TABLE "GatewayCallback" ADD COLUMN     "environment" "Environment";

-- Hand-written data migration. Existing keys, gateways and money are LIVE (the column default),
-- except the SANDBOX gateway, which is TEST by nature: it and its club routes move to TEST, and so
-- do its payments on which no money was booked. Payments already credited keep their LIVE ledger.
UPDATE "PaymentGateway" SET "environment" = 'TEST' WHERE "type" = 'SANDBOX';
UPDATE "Payment" SET "environment" = 'TEST'
  WHERE "gatewayType" = 'SANDBOX' AND "status" IN ('PENDING', 'AUTHORIZED', 'CANCELLED', 'FAILED')
    AND NOT EXISTS (SELECT 1 FROM "LedgerEntry" l WHERE l."paymentId" = "Payment"."id");
UPDATE "GatewayCallback" c SET "environment" = g."environment" FROM "PaymentGateway" g WHERE g."id" = c."gatewayId";

ALTER TABLE "Client" ADD CONSTRAINT "Client_test_balance_not_negative" CHECK ("testBalance" >= 0);

-- CreateIndex
CREATE UNIQUE INDEX "Organization_code_key" ON "Organization"("code");

-- CreateIndex
CREATE UNIQUE INDEX "PaymentGateway_organizationId_environment_type_publicId_key" ON "PaymentGateway"("organizationId", "environment", "type", "publicId");

-- CreateIndex
CREATE UNIQUE INDEX "PaymentGateway_id_organizationId_environment_key" ON "PaymentGateway"("id", "organizationId", "environment");

-- CreateIndex
CREATE INDEX "Payment_organizationId_environment_createdAt_idx" ON "Payment"("organizationId", "environment", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Payment_organizationId_environment_idempotencyKey_key" ON "Payment"("organizationId", "environment", "idempotencyKey");

-- CreateIndex
CREATE UNIQUE INDEX "Refund_organizationId_environment_idempotencyKey_key" ON "Refund"("organizationId", "environment", "idempotencyKey");

-- CreateIndex
CREATE INDEX "LedgerEntry_organizationId_clientId_environment_at_idx" ON "LedgerEntry"("organizationId", "clientId", "environment", "at");

-- CreateIndex
CREATE UNIQUE INDEX "LedgerEntry_organizationId_environment_idempotencyKey_key" ON "LedgerEntry"("organizationId", "environment", "idempotencyKey");

UPDATE "PaymentGatewayClub" r SET "environment" = g."environment" FROM "PaymentGateway" g WHERE g."id" = r."gatewayId";

-- AddForeignKey
ALTER TABLE "PaymentGatewayClub" ADD CONSTRAINT "PaymentGatewayClub_gatewayId_organizationId_environment_fkey" FOREIGN KEY ("gatewayId", "organizationId", "environment") REFERENCES "PaymentGateway"("id", "organizationId", "environment") ON DELETE CASCADE ON UPDATE CASCADE;

