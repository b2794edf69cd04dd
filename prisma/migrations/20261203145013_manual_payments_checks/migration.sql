-- A payment has a gateway unless staff recorded it (MANUAL), and no stored gateway is MANUAL.
ALTER TABLE "Payment" ADD CONSTRAINT "Payment_gateway_unless_manual" CHECK (("gatewayType" = 'MANUAL') = ("gatewayId" IS NULL));
ALTER TABLE "PaymentGateway" ADD CONSTRAINT "PaymentGateway_not_manual" CHECK ("type" <> 'MANUAL');
