import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { createApiKey, listApiKeys, revokeApiKey } from '../services/auth/api-keys';
import { getOrganization, updateOrganization } from '../services/organizations/organization';
import { serviceCtx, type GqlContext } from './context';
import { ApiKey, CreateApiKeyInput, CreateApiKeyResult, Organization, UpdateOrganizationInput } from './organization.types';

/** The organization and its keys. Reading the organization is for every key; the rest for LIVE OWNER keys. */
@Resolver()
export class OrganizationResolver {
  @Authorized('VIEWER')
  @Query(() => Organization)
  organization(@Ctx() ctx: GqlContext): Promise<Organization> {
    return getOrganization(serviceCtx(ctx));
  }

  @Authorized('LIVE_OWNER')
  @Mutation(() => Organization)
  updateOrganization(@Arg('input', () => UpdateOrganizationInput) input: UpdateOrganizationInput, @Ctx() ctx: GqlContext): Promise<Organization> {
    return updateOrganization(serviceCtx(ctx), input);
  }

  @Authorized('LIVE_OWNER')
  @Query(() => [ApiKey], { description: 'Every key of the organization, both environments, oldest first' })
  apiKeys(@Ctx() ctx: GqlContext): Promise<ApiKey[]> {
    return listApiKeys(serviceCtx(ctx));
  }

  @Authorized('LIVE_OWNER')
  @Mutation(() => CreateApiKeyResult)
  createApiKey(@Arg('input', () => CreateApiKeyInput) input: CreateApiKeyInput, @Ctx() ctx: GqlContext): Promise<CreateApiKeyResult> {
    return createApiKey(serviceCtx(ctx), input);
  }

  @Authorized('LIVE_OWNER')
  @Mutation(() => ApiKey, { description: 'Refused from the next request on; revoking twice keeps the first time' })
  revokeApiKey(@Arg('id', () => ID) id: string, @Ctx() ctx: GqlContext): Promise<ApiKey> {
    return revokeApiKey(serviceCtx(ctx), id);
  }
}
