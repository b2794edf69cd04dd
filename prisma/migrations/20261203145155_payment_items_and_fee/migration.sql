-- AlterTable
ALTER TABLE "Payment" ADD COLUMN     "fee" DECIMAL(20,4),
ADD COLUMN     "items" JSONB NOT NULL DEFAULT '[]';

