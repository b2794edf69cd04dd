import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';

@InputType()
export class ClubInput {
  @Field(() => ID, { description: "The CRM's own club id, unique per organization" })
  id!: string;

  @Field(() => String)
  name!: string;
}

@ObjectType()
export class Club {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => DateTimeResolver)
  createdAt!: Date;
}
