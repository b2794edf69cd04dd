-- History entries carry a code (domain/book HistoryCode): rules compare codes, never texts.
ALTER TABLE "PaymentEvent" ADD COLUMN "code" VARCHAR(40);

-- A payment's REFUND ledger entries carry its paymentId: one TOP_UP per payment is kept by a
-- partial unique index (same name as the unique key it replaces), which Prisma cannot express.
DROP INDEX "LedgerEntry_paymentId_kind_key";
CREATE UNIQUE INDEX "LedgerEntry_paymentId_kind_key" ON "LedgerEntry"("paymentId", "kind") WHERE "kind" = 'TOP_UP';
CREATE INDEX "LedgerEntry_paymentId_idx" ON "LedgerEntry"("paymentId");

-- Entries booked before: their refund names the payment. The ledger is append-only, so its
-- trigger is set aside for this one fill-in of a new column.
ALTER TABLE "LedgerEntry" DISABLE TRIGGER "LedgerEntry_append_only";
UPDATE "LedgerEntry" l SET "paymentId" = r."paymentId" FROM "Refund" r WHERE l."refundId" = r.id AND l."paymentId" IS NULL;
ALTER TABLE "LedgerEntry" ENABLE TRIGGER "LedgerEntry_append_only";
