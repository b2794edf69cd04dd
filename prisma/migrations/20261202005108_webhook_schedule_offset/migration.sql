-- AlterTable
ALTER TABLE "WebhookDelivery" ADD COLUMN     "scheduleOffset" INTEGER NOT NULL DEFAULT 0;

