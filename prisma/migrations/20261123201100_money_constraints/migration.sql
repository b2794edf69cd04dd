-- Hand-written: constraints that protect money and that Prisma's schema language cannot express.
-- test/integration/migrations.test.ts lists them and proves each one refuses bad rows.

ALTER TABLE "Client" ADD CONSTRAINT "Client_balance_not_negative" CHECK ("balance" >= 0);

ALTER TABLE "Payment" ADD CONSTRAINT "Payment_amount_positive" CHECK ("amount" > 0);
ALTER TABLE "Payment" ADD CONSTRAINT "Payment_refunded_within_amount" CHECK ("refundedAmount" >= 0 AND "refundedAmount" <= "amount");

ALTER TABLE "Refund" ADD CONSTRAINT "Refund_amount_positive" CHECK ("amount" > 0);
ALTER TABLE "Refund" ADD CONSTRAINT "Refund_shortfall_within_amount" CHECK ("shortfall" >= 0 AND "shortfall" <= "amount");

ALTER TABLE "LedgerEntry" ADD CONSTRAINT "LedgerEntry_balance_after_not_negative" CHECK ("balanceAfter" >= 0);
ALTER TABLE "LedgerEntry" ADD CONSTRAINT "LedgerEntry_amount_sign" CHECK (
  ("kind" = 'TOP_UP' AND "amount" > 0) OR
  ("kind" IN ('REFUND', 'SPEND') AND "amount" < 0) OR
  ("kind" = 'ADJUSTMENT' AND "amount" <> 0)
);

-- The ledger is append-only: a correction is a new ADJUSTMENT entry, never an edit.
-- The body is an escape string, with \073 for each semicolon, because the offline migration runner
-- (driver adapter) splits scripts on every literal semicolon.
CREATE FUNCTION "ledger_entry_append_only"() RETURNS trigger LANGUAGE plpgsql AS
  E'BEGIN RAISE EXCEPTION ''LedgerEntry is append-only: % refused'', TG_OP USING ERRCODE = ''restrict_violation''\073 END\073';

CREATE TRIGGER "LedgerEntry_append_only"
  BEFORE UPDATE OR DELETE ON "LedgerEntry"
  FOR EACH ROW EXECUTE FUNCTION "ledger_entry_append_only"();
