import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { getAutoTopUp, setAutoTopUp } from '../services/auto-top-up/set-auto-top-up';
import { AutoTopUp, SetAutoTopUpInput } from './auto-top-up.types';
import { serviceCtx, type GqlContext } from './context';

@Resolver(() => AutoTopUp)
export class AutoTopUpResolver {
  @Authorized('VIEWER')
  @Query(() => AutoTopUp, { nullable: true, description: 'The client\'s auto top-up in this environment, or null' })
  autoTopUp(@Arg('clientId', () => ID) clientId: string, @Ctx() ctx: GqlContext): Promise<AutoTopUp | null> {
    return getAutoTopUp(serviceCtx(ctx), clientId);
  }

  @Authorized('ADMIN')
  @Mutation(() => AutoTopUp, { description: 'Sets (or with enabled: false switches off) the client\'s auto top-up; only with the client\'s consent to merchant-initiated charges' })
  setAutoTopUp(@Arg('input', () => SetAutoTopUpInput) input: SetAutoTopUpInput, @Ctx() ctx: GqlContext): Promise<AutoTopUp> {
    return setAutoTopUp(serviceCtx(ctx), input);
  }
}
