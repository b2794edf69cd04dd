-- CreateEnum
CREATE TYPE "ShortfallResolution" AS ENUM ('COLLECTED', 'WRITTEN_OFF', 'DEBITED');

-- AlterEnum
ALTER TYPE "OutboxStatus" ADD VALUE 'GIVEN_UP';

-- AlterTable
ALTER TABLE "Refund" ADD COLUMN     "shortfallResolution" "ShortfallResolution",
ADD COLUMN     "shortfallNote" VARCHAR(2000),
ADD COLUMN     "shortfallDebited" DECIMAL(20,4) NOT NULL DEFAULT 0,
ADD COLUMN     "shortfallResolvedAt" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "AttentionItem" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "environment" "Environment" NOT NULL,
    "kind" VARCHAR(40) NOT NULL,
    "dedupeKey" VARCHAR(300) NOT NULL,
    "paymentId" TEXT,
    "refundId" TEXT,
    "evidence" JSONB NOT NULL DEFAULT '{}',
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolvedAt" TIMESTAMPTZ(3),
    "resolvedBy" VARCHAR(200),
    "note" VARCHAR(2000),

    CONSTRAINT "AttentionItem_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AttentionItem_organizationId_environment_id_idx" ON "AttentionItem"("organizationId", "environment", "id");

-- CreateIndex
CREATE UNIQUE INDEX "AttentionItem_organizationId_environment_dedupeKey_key" ON "AttentionItem"("organizationId", "environment", "dedupeKey");


-- CreateIndex
CREATE INDEX "Refund_organizationId_environment_id_idx" ON "Refund"("organizationId", "environment", "id");
