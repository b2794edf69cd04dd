import { registerEnumType, Field, ObjectType } from 'type-graphql';
import { GatewayType, LedgerKind } from '../generated/prisma/enums';

registerEnumType(GatewayType, { name: 'GatewayType' });
registerEnumType(LedgerKind, { name: 'LedgerKind' });

export { GatewayType, LedgerKind };

@ObjectType({ description: 'The same shape for every connection.' })
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}
