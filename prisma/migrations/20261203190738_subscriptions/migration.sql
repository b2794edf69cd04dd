-- CreateEnum
CREATE TYPE "SubscriptionInterval" AS ENUM ('DAY', 'WEEK', 'MONTH');

-- CreateEnum
CREATE TYPE "SubscriptionStatus" AS ENUM ('ACTIVE', 'PAST_DUE', 'CANCELLED', 'REJECTED', 'EXPIRED');

-- AlterTable
ALTER TABLE "Payment" ADD COLUMN     "subscriptionId" TEXT;

-- CreateTable
CREATE TABLE "Subscription" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "environment" "Environment" NOT NULL,
    "clientId" VARCHAR(128) NOT NULL,
    "clubId" VARCHAR(128) NOT NULL,
    "gatewayId" TEXT NOT NULL,
    "paymentMethodId" TEXT NOT NULL,
    "gatewaySubscriptionId" VARCHAR(64),
    "status" "SubscriptionStatus" NOT NULL DEFAULT 'ACTIVE',
    "amount" DECIMAL(20,4) NOT NULL,
    "currency" VARCHAR(3) NOT NULL,
    "interval" "SubscriptionInterval" NOT NULL,
    "period" INTEGER NOT NULL,
    "maxPeriods" INTEGER,
    "description" VARCHAR(500) NOT NULL,
    "requireConfirmation" BOOLEAN NOT NULL DEFAULT false,
    "startDate" TIMESTAMPTZ(3) NOT NULL,
    "nextChargeAt" TIMESTAMPTZ(3),
    "successfulCharges" INTEGER NOT NULL DEFAULT 0,
    "failedCharges" INTEGER NOT NULL DEFAULT 0,
    "lastTransactionAt" TIMESTAMPTZ(3),
    "idempotencyKey" VARCHAR(255),
    "requestHash" VARCHAR(64),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "cancelledAt" TIMESTAMPTZ(3),

    CONSTRAINT "Subscription_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Subscription_organizationId_environment_clientId_createdAt__idx" ON "Subscription"("organizationId", "environment", "clientId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Subscription_organizationId_environment_createdAt_id_idx" ON "Subscription"("organizationId", "environment", "createdAt", "id");

-- CreateIndex
CREATE UNIQUE INDEX "Subscription_gatewayId_gatewaySubscriptionId_key" ON "Subscription"("gatewayId", "gatewaySubscriptionId");

-- CreateIndex
CREATE UNIQUE INDEX "Subscription_organizationId_environment_idempotencyKey_key" ON "Subscription"("organizationId", "environment", "idempotencyKey");

-- CreateIndex
CREATE INDEX "Payment_subscriptionId_createdAt_id_idx" ON "Payment"("subscriptionId", "createdAt", "id");

