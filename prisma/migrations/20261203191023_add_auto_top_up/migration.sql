-- CreateTable
CREATE TABLE "AutoTopUp" (
    "organizationId" TEXT NOT NULL,
    "environment" "Environment" NOT NULL,
    "clientId" VARCHAR(128) NOT NULL,
    "paymentMethodId" TEXT NOT NULL,
    "threshold" DECIMAL(20,4) NOT NULL,
    "amount" DECIMAL(20,4) NOT NULL,
    "dailyLimit" INTEGER NOT NULL,
    "enabled" BOOLEAN NOT NULL,
    "pausedReason" VARCHAR(500),
    "inFlightTrigger" TEXT,
    "lastPaymentId" TEXT,
    "lastChargeAt" TIMESTAMPTZ(3),
    "chargeDay" VARCHAR(10),
    "chargesToday" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "AutoTopUp_pkey" PRIMARY KEY ("organizationId","environment","clientId")
);

