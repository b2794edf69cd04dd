import { Field, ID, ObjectType } from 'type-graphql';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import type { StoredFilter } from '../services/payments/stored-filter';

@ObjectType({ description: 'A named payment filter of the organization\'s environment' })
export class SavedPaymentFilter {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => JSONResolver, { description: 'The filter as checked and stored: a PaymentFilter input (absent fields left out), ready to be shown and sent back' })
  filter!: StoredFilter;

  @Field(() => DateTimeResolver)
  createdAt!: Date;

  @Field(() => DateTimeResolver, { description: 'When it was last saved (saving a name again replaces its filter)' })
  updatedAt!: Date;
}
