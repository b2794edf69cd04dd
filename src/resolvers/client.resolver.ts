import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { getClient, listLedger } from '../services/clients/get-client';
import { upsertClient } from '../services/clients/upsert-client';
import { Client, ClientInput, LedgerConnection } from './client.types';
import { serviceCtx, type GqlContext } from './context';

@Resolver(() => Client)
export class ClientResolver {
  @Authorized('VIEWER')
  @Query(() => Client, { nullable: true, description: 'null when not found in this organization' })
  client(@Arg('id', () => ID) id: string, @Ctx() ctx: GqlContext): Promise<Client | null> {
    return getClient(serviceCtx(ctx), id);
  }

  @Authorized('ADMIN')
  @Mutation(() => Client)
  upsertClient(@Arg('input', () => ClientInput) input: ClientInput, @Ctx() ctx: GqlContext): Promise<Client> {
    return upsertClient(serviceCtx(ctx), input);
  }

  @FieldResolver(() => LedgerConnection, { description: 'Newest first' })
  ledger(
    @Root() client: Client,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GqlContext,
  ): Promise<LedgerConnection> {
    return listLedger(serviceCtx(ctx), client, { first, after });
  }
}
