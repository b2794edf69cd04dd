-- AlterEnum
ALTER TYPE "GatewayType" ADD VALUE 'MANUAL';

-- AlterTable
ALTER TABLE "Payment" ALTER COLUMN "gatewayId" DROP NOT NULL;

