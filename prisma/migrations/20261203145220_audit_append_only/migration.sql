-- Hand-written: the audit log and payment comments are append-only, as the ledger is.
-- test/integration/migrations.test.ts proves both refuse UPDATE and DELETE.
-- Bodies are escape strings with \073 for each semicolon (the offline runner splits on them).
CREATE FUNCTION "audit_entry_append_only"() RETURNS trigger LANGUAGE plpgsql AS
  E'BEGIN RAISE EXCEPTION ''AuditEntry is append-only: % refused'', TG_OP USING ERRCODE = ''restrict_violation''\073 END\073';

CREATE TRIGGER "AuditEntry_append_only"
  BEFORE UPDATE OR DELETE ON "AuditEntry"
  FOR EACH ROW EXECUTE FUNCTION "audit_entry_append_only"();

-- TRUNCATE skips row triggers: refused by a statement trigger.
CREATE TRIGGER "AuditEntry_no_truncate"
  BEFORE TRUNCATE ON "AuditEntry"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_entry_append_only"();

CREATE FUNCTION "payment_comment_append_only"() RETURNS trigger LANGUAGE plpgsql AS
  E'BEGIN RAISE EXCEPTION ''PaymentComment is append-only: % refused'', TG_OP USING ERRCODE = ''restrict_violation''\073 END\073';

CREATE TRIGGER "PaymentComment_append_only"
  BEFORE UPDATE OR DELETE ON "PaymentComment"
  FOR EACH ROW EXECUTE FUNCTION "payment_comment_append_only"();

CREATE TRIGGER "PaymentComment_no_truncate"
  BEFORE TRUNCATE ON "PaymentComment"
  FOR EACH STATEMENT EXECUTE FUNCTION "payment_comment_append_only"();
