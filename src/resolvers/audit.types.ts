import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import { Environment, PageInfo } from './shared.types';

@InputType({ description: 'Every field narrows the list; the environment is the key\'s' })
export class AuditFilter {
  @Field(() => String, { nullable: true, description: 'A GraphQL mutation\'s name (refundPayment) or cli:<command>' })
  action?: string | null;

  @Field(() => ID, { nullable: true })
  actorKeyId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Entries naming this id (a payment, a key, a webhook, a client …)' })
  targetId?: string | null;

  @Field(() => DateTimeResolver, { nullable: true, description: 'At or after' })
  from?: Date | null;

  @Field(() => DateTimeResolver, { nullable: true, description: 'Before' })
  to?: Date | null;
}

@ObjectType({ description: 'One change, or one refused attempt, by a key or the CLI' })
export class AuditEntry {
  @Field(() => ID)
  id!: string;

  @Field(() => DateTimeResolver)
  at!: Date;

  @Field(() => ID, { nullable: true, description: 'null for the CLI' })
  actorKeyId!: string | null;

  @Field(() => String, { nullable: true })
  actorKeyName!: string | null;

  @Field(() => String, { nullable: true })
  actorRole!: string | null;

  @Field(() => Environment, { nullable: true, description: 'The key\'s; null for a CLI command about the whole organization' })
  environment!: Environment | null;

  @Field(() => String)
  action!: string;

  @Field(() => [ID], { description: 'The ids the call named or answered with' })
  targetIds!: string[];

  @Field(() => String, { description: '"ok" or the error code the caller got' })
  outcome!: string;

  @Field(() => JSONResolver, { nullable: true, description: 'The arguments, without write-only fields (secrets); over 16 KB: { $truncated, bytes, head }' })
  input!: unknown;

  @Field(() => String, { nullable: true })
  remoteAddress!: string | null;
}

@ObjectType()
export class AuditEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => AuditEntry)
  node!: AuditEntry;
}

@ObjectType()
export class AuditConnection {
  @Field(() => [AuditEdge])
  edges!: AuditEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
