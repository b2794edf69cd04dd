-- AlterTable
ALTER TABLE "Payment" ADD COLUMN     "paymentMethodId" TEXT,
ADD COLUMN     "saveCard" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "SavedPaymentMethod" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "environment" "Environment" NOT NULL,
    "clientId" VARCHAR(128) NOT NULL,
    "gatewayId" TEXT NOT NULL,
    "clubId" VARCHAR(128) NOT NULL,
    "fingerprint" VARCHAR(64) NOT NULL,
    "tokenEncrypted" TEXT NOT NULL,
    "cardFirstSix" VARCHAR(6),
    "cardLastFour" VARCHAR(4),
    "brand" VARCHAR(32),
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "sourcePaymentId" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deletedAt" TIMESTAMPTZ(3),

    CONSTRAINT "SavedPaymentMethod_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "SavedPaymentMethod_organizationId_environment_clientId_idx" ON "SavedPaymentMethod"("organizationId", "environment", "clientId");

-- CreateIndex
CREATE UNIQUE INDEX "SavedPaymentMethod_gatewayId_clientId_fingerprint_key" ON "SavedPaymentMethod"("gatewayId", "clientId", "fingerprint");

-- AddForeignKey
ALTER TABLE "SavedPaymentMethod" ADD CONSTRAINT "SavedPaymentMethod_organizationId_clientId_fkey" FOREIGN KEY ("organizationId", "clientId") REFERENCES "Client"("organizationId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SavedPaymentMethod" ADD CONSTRAINT "SavedPaymentMethod_gatewayId_organizationId_environment_fkey" FOREIGN KEY ("gatewayId", "organizationId", "environment") REFERENCES "PaymentGateway"("id", "organizationId", "environment") ON DELETE CASCADE ON UPDATE CASCADE;

