-- CreateEnum
CREATE TYPE "ReceiptType" AS ENUM ('INCOME', 'INCOME_RETURN');

-- CreateEnum
CREATE TYPE "ReceiptStatus" AS ENUM ('PENDING', 'ISSUED', 'FAILED');

-- AlterTable
ALTER TABLE "Organization" ADD COLUMN     "fiscalInn" VARCHAR(12),
ADD COLUMN     "fiscalTaxationSystem" INTEGER,
ADD COLUMN     "fiscalDefaultVat" INTEGER,
ADD COLUMN     "receiptsEnabled" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "Receipt" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "environment" "Environment" NOT NULL,
    "paymentId" TEXT,
    "movementKey" VARCHAR(128) NOT NULL,
    "type" "ReceiptType" NOT NULL,
    "status" "ReceiptStatus" NOT NULL DEFAULT 'PENDING',
    "amount" DECIMAL(20,4) NOT NULL,
    "request" JSONB NOT NULL,
    "gatewayId" TEXT,
    "externalId" VARCHAR(64),
    "fiscalNumber" VARCHAR(64),
    "fiscalSign" VARCHAR(64),
    "documentNumber" VARCHAR(64),
    "url" VARCHAR(1000),
    "qrCodeUrl" VARCHAR(1000),
    "error" VARCHAR(1000),
    "attempt" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Receipt_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Receipt_paymentId_idx" ON "Receipt"("paymentId");

-- CreateIndex
CREATE INDEX "Receipt_externalId_idx" ON "Receipt"("externalId");

-- CreateIndex
CREATE UNIQUE INDEX "Receipt_organizationId_movementKey_type_key" ON "Receipt"("organizationId", "movementKey", "type");

-- AddForeignKey
ALTER TABLE "Receipt" ADD CONSTRAINT "Receipt_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

