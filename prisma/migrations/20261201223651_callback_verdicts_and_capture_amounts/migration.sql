-- Callback verdicts gain UNREADABLE (signed but malformed), and stored callbacks keep only the
-- allow-listed fields of their body plus its SHA-256, never the raw body or signature headers.
ALTER TYPE "SignatureVerdict" RENAME TO "CallbackVerdict";
ALTER TYPE "CallbackVerdict" ADD VALUE 'UNREADABLE';
ALTER TABLE "GatewayCallback" RENAME COLUMN "signature" TO "verdict";

ALTER TABLE "GatewayCallback" ADD COLUMN "body" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN "bodySha256" VARCHAR(64);

UPDATE "GatewayCallback" SET "bodySha256" = encode(sha256(convert_to("rawBody", 'UTF8')), 'hex');

-- Form bodies stored before: keep the allow-listed fields whose values need no decoding.
UPDATE "GatewayCallback" c SET "body" = COALESCE((
  SELECT jsonb_object_agg(f.k, f.v) FROM (
    SELECT split_part(kv, '=', 1) AS k, split_part(kv, '=', 2) AS v FROM regexp_split_to_table(c."rawBody", '&') AS kv
  ) f
  WHERE f.k IN ('TransactionId', 'PaymentTransactionId', 'InvoiceId', 'AccountId', 'SubscriptionId', 'Amount', 'Currency',
    'PaymentAmount', 'PaymentCurrency', 'TotalFee', 'Status', 'StatusCode', 'OperationType', 'GatewayName', 'ReasonCode',
    'CardFirstSix', 'CardLastFour', 'CardType', 'TestMode', 'status', 'invoice_id', 'order_id', 'amount_crypto', 'currency')
    AND f.v ~ '^[A-Za-z0-9._-]{1,128}$'
), '{}'::jsonb)
WHERE c."rawBody" !~ '^\s*\{';

-- JSON bodies stored before, where they were read successfully (so they are valid JSON).
UPDATE "GatewayCallback" c SET "body" = COALESCE((
  SELECT jsonb_object_agg(e.key, e.value #>> '{}') FROM jsonb_each(c."rawBody"::jsonb) e
  WHERE e.key IN ('TransactionId', 'PaymentTransactionId', 'InvoiceId', 'AccountId', 'SubscriptionId', 'Amount', 'Currency',
    'PaymentAmount', 'PaymentCurrency', 'TotalFee', 'Status', 'StatusCode', 'OperationType', 'GatewayName', 'ReasonCode',
    'CardFirstSix', 'CardLastFour', 'CardType', 'TestMode', 'status', 'invoice_id', 'order_id', 'amount_crypto', 'currency')
    AND jsonb_typeof(e.value) IN ('string', 'number') AND (e.value #>> '{}') ~ '^[A-Za-z0-9._-]{1,128}$'
), '{}'::jsonb)
WHERE c."rawBody" ~ '^\s*\{' AND c."verdict" = 'VALID' AND c."error" IS NULL;

ALTER TABLE "GatewayCallback" DROP COLUMN "rawBody",
ALTER COLUMN "bodySha256" SET NOT NULL;

-- Signatures are not kept beside bodies: with both, a stored callback could be sent again.
UPDATE "GatewayCallback" SET "headers" = "headers" - 'content-hmac' - 'x-content-hmac';

-- Two-stage amounts as typed columns (they lived in Payment.metadata).
ALTER TABLE "Payment" ADD COLUMN "authorizedAmount" DECIMAL(20,4),
ADD COLUMN "captureAmount" DECIMAL(20,4),
ADD COLUMN "capturedAmount" DECIMAL(20,4);

UPDATE "Payment" SET "authorizedAmount" = COALESCE(("metadata"->>'authorizedAmount')::numeric, "amount"),
  "metadata" = "metadata" - 'authorizedAmount'
WHERE "authorizedAt" IS NOT NULL;

UPDATE "Payment" SET "capturedAmount" = "amount", "captureAmount" = "amount"
WHERE "authorizedAt" IS NOT NULL AND "status" IN ('CONFIRMED', 'PARTIALLY_REFUNDED', 'REFUNDED');

ALTER TABLE "Payment" ADD CONSTRAINT "Payment_capture_within_authorization" CHECK (
  ("captureAmount" IS NULL OR ("authorizedAmount" IS NOT NULL AND "captureAmount" > 0 AND "captureAmount" <= "authorizedAmount"))
  AND ("capturedAmount" IS NULL OR ("authorizedAmount" IS NOT NULL AND "capturedAmount" > 0 AND "capturedAmount" <= "authorizedAmount"))
);
