import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { chargeSavedCard } from '../services/cards/charge-saved-card';
import { deleteSavedPaymentMethod, listSavedPaymentMethods } from '../services/cards/saved-methods';
import { serviceCtx, type GqlContext } from './context';
import { GATEWAY_CALL_COST } from './field-extensions';
import { Payment } from './payment.types';
import { ChargeSavedCardInput, SavedPaymentMethod } from './saved-card.types';

@Resolver(() => SavedPaymentMethod)
export class SavedCardResolver {
  @Authorized('VIEWER')
  @Query(() => [SavedPaymentMethod], { description: 'The client\'s saved cards in this environment, oldest first (deleted ones left out)' })
  savedPaymentMethods(@Arg('clientId', () => ID) clientId: string, @Ctx() ctx: GqlContext): Promise<SavedPaymentMethod[]> {
    return listSavedPaymentMethods(serviceCtx(ctx), clientId);
  }

  @Authorized('ADMIN')
  @Mutation(() => Boolean, { description: 'Forgets a saved card (it is never charged again); true also when it was already deleted' })
  deleteSavedPaymentMethod(@Arg('id', () => ID) id: string, @Ctx() ctx: GqlContext): Promise<boolean> {
    return deleteSavedPaymentMethod(serviceCtx(ctx), id);
  }

  @Authorized('ADMIN')
  @Mutation(() => Payment, { description: 'One-click top-up with a saved card (cardholder-initiated): CONFIRMED, or FAILED with the decline', complexity: GATEWAY_CALL_COST })
  chargeSavedCard(@Arg('input', () => ChargeSavedCardInput) input: ChargeSavedCardInput, @Ctx() ctx: GqlContext): Promise<Payment> {
    return chargeSavedCard(serviceCtx(ctx), input);
  }
}
