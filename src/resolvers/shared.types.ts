import { registerEnumType, Field, ObjectType } from 'type-graphql';
import { Environment, GatewayType, LedgerKind } from '../generated/prisma/enums';

registerEnumType(GatewayType, { name: 'GatewayType' });
registerEnumType(LedgerKind, { name: 'LedgerKind' });
registerEnumType(Environment, { name: 'Environment', description: 'LIVE moves real money; TEST is the sandbox twin of everything (Stripe-style test mode)' });

export { Environment, GatewayType, LedgerKind };

@ObjectType({ description: 'The same shape for every connection.' })
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}
