-- CreateTable
CREATE TABLE "AuditEntry" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "environment" "Environment",
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorKeyId" TEXT,
    "actorKeyName" VARCHAR(200),
    "actorRole" "Role",
    "action" VARCHAR(100) NOT NULL,
    "targetIds" VARCHAR(200)[] DEFAULT ARRAY[]::VARCHAR(200)[],
    "outcome" VARCHAR(40) NOT NULL,
    "input" JSONB,
    "remoteAddress" VARCHAR(64),

    CONSTRAINT "AuditEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PaymentComment" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "environment" "Environment" NOT NULL,
    "paymentId" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "authorKeyId" TEXT,
    "author" VARCHAR(200) NOT NULL,
    "text" VARCHAR(4000) NOT NULL,

    CONSTRAINT "PaymentComment_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AuditEntry_organizationId_environment_at_id_idx" ON "AuditEntry"("organizationId", "environment", "at", "id");

-- CreateIndex
CREATE INDEX "AuditEntry_targetIds_idx" ON "AuditEntry" USING GIN ("targetIds");

-- CreateIndex
CREATE INDEX "PaymentComment_paymentId_at_id_idx" ON "PaymentComment"("paymentId", "at", "id");

-- AddForeignKey
ALTER TABLE "PaymentComment" ADD CONSTRAINT "PaymentComment_paymentId_fkey" FOREIGN KEY ("paymentId") REFERENCES "Payment"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

