-- AlterTable
ALTER TABLE "ApiToken" ADD COLUMN     "defaultPaymentFilter" JSONB;

-- CreateTable
CREATE TABLE "SavedPaymentFilter" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "environment" "Environment" NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "filter" JSONB NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "SavedPaymentFilter_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "SavedPaymentFilter_organizationId_environment_name_key" ON "SavedPaymentFilter"("organizationId", "environment", "name");

-- AddForeignKey
ALTER TABLE "SavedPaymentFilter" ADD CONSTRAINT "SavedPaymentFilter_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

