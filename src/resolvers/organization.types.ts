import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { Role } from '../generated/prisma/enums';
import { Environment } from './shared.types';

registerEnumType(Role, { name: 'Role', description: 'OWNER > ADMIN (changes) > VIEWER (reads only)' });

@ObjectType()
export class Organization {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'The readable business code, e.g. ORG-7K2QX9MD' })
  code!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'IANA time zone: where "today" and report periods begin' })
  timeZone!: string;

  @Field(() => String, { description: 'The currency of new clients unless they say otherwise' })
  defaultCurrency!: string;

  @Field(() => DateTimeResolver)
  createdAt!: Date;

  @Field(() => FiscalSettings, { nullable: true, description: 'Null until set' })
  fiscal!: FiscalSettings | null;
}

@ObjectType({ description: '54-FZ fiscal settings (receipts through CloudKassir); nothing secret' })
export class FiscalSettings {
  @Field(() => String, { description: 'The seller\'s INN (10 or 12 digits)' })
  inn!: string;

  @Field(() => Int, { description: '0 ОСН, 1 УСН доход, 2 УСН доход−расход, 3 ЕНВД, 4 ЕСХН, 5 патент' })
  taxationSystem!: number;

  @Field(() => Int, { nullable: true, description: 'VAT code of lines that name none; null: without VAT' })
  defaultVat!: number | null;

  @Field(() => Boolean)
  receiptsEnabled!: boolean;
}

@InputType()
export class FiscalSettingsInput {
  @Field(() => String)
  inn!: string;

  @Field(() => Int)
  taxationSystem!: number;

  @Field(() => Int, { nullable: true })
  defaultVat?: number | null;

  @Field(() => Boolean)
  receiptsEnabled!: boolean;
}

@InputType()
export class UpdateOrganizationInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  timeZone?: string | null;

  @Field(() => String, { nullable: true })
  defaultCurrency?: string | null;

  @Field(() => FiscalSettingsInput, { nullable: true, description: '54-FZ receipts (OWNER)' })
  fiscal?: FiscalSettingsInput | null;
}

@ObjectType()
export class ApiKeyUsage {
  @Field(() => Int, { description: 'Requests so far today, in the organization\'s time zone' })
  requestsToday!: number;
}

@ObjectType()
export class ApiKey {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => String, { description: 'The first characters of the key, to recognise it (pgk_live_… / pgk_test_…)' })
  prefix!: string;

  @Field(() => Role)
  role!: Role;

  @Field(() => Environment)
  environment!: Environment;

  @Field(() => DateTimeResolver)
  createdAt!: Date;

  @Field(() => DateTimeResolver, { nullable: true })
  expiresAt!: Date | null;

  @Field(() => DateTimeResolver, { nullable: true, description: 'To the minute' })
  lastUsedAt!: Date | null;

  @Field(() => DateTimeResolver, { nullable: true })
  revokedAt!: Date | null;

  @Field(() => Int, { description: 'Cost units per minute in force (its own, or its environment\'s default); 0 = no limit' })
  rateLimitPerMinute!: number;

  @Field(() => ApiKeyUsage)
  usage!: ApiKeyUsage;
}

@InputType()
export class CreateApiKeyInput {
  @Field(() => String)
  name!: string;

  @Field(() => Role)
  role!: Role;

  @Field(() => Environment)
  environment!: Environment;

  @Field(() => DateTimeResolver, { nullable: true })
  expiresAt?: Date | null;

  @Field(() => Int, { nullable: true, description: 'Cost units per minute; default RATE_LIMIT_PER_MINUTE for LIVE, a tenth of it for TEST' })
  rateLimitPerMinute?: number | null;
}

@ObjectType()
export class CreateApiKeyResult {
  @Field(() => ApiKey)
  key!: ApiKey;

  @Field(() => String, { description: 'The key itself: shown this once, never again' })
  token!: string;
}
