-- Given-up outbox rows wait for a person: the relay counts them every few seconds, and operators
-- list them to re-drive them (outbox retry). Only they are indexed (a partial index, which Prisma
-- cannot express), so the count never reads the DONE rows.
CREATE INDEX "Outbox_given_up_id_idx" ON "Outbox"("id") WHERE "status" = 'GIVEN_UP';
