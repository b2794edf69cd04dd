import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { configureGateway } from '../services/gateways/configure-gateway';
import { listGateways } from '../services/gateways/list-gateways';
import { serviceCtx, type GqlContext } from './context';
import { PaymentGateway, PaymentGatewayInput } from './gateway.types';
import { GATEWAY_CALL_COST } from './field-extensions';

@Resolver(() => PaymentGateway)
export class GatewayResolver {
  @Authorized('VIEWER')
  @Query(() => [PaymentGateway])
  paymentGateways(@Ctx() ctx: GqlContext): Promise<PaymentGateway[]> {
    return listGateways(serviceCtx(ctx));
  }

  @Authorized('ADMIN')
  @Mutation(() => PaymentGateway, { description: 'Calling again for the same type and publicId updates it (secret rotation).', complexity: GATEWAY_CALL_COST })
  configurePaymentGateway(
    @Arg('input', () => PaymentGatewayInput) input: PaymentGatewayInput,
    @Ctx() ctx: GqlContext,
  ): Promise<PaymentGateway> {
    return configureGateway(serviceCtx(ctx), input);
  }
}
