-- The outbox is read by its consumers, not through per-row queue jobs: they claim the open rows of
-- a kind, oldest first, with FOR UPDATE SKIP LOCKED. Only open rows are indexed (a partial index,
-- which Prisma cannot express). A row that failed is not taken again before its backoff is over.
DROP INDEX "Outbox_status_createdAt_idx";

ALTER TABLE "Outbox" ADD COLUMN "availableAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

CREATE INDEX "Outbox_open_kind_id_idx" ON "Outbox"("kind", "id") WHERE "status" = 'PENDING';
