-- CreateIndex
CREATE INDEX "Refund_organizationId_environment_id_idx" ON "Refund"("organizationId", "environment", "id");

