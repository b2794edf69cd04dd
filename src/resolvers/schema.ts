import { buildSchema } from 'type-graphql';
import type { GraphQLSchema } from 'graphql';
import { authChecker } from './auth-checker';
import { ClientResolver } from './client.resolver';
import { ClubResolver } from './club.resolver';
import { GatewayResolver } from './gateway.resolver';

export const resolvers = [GatewayResolver, ClubResolver, ClientResolver] as const;

export function buildGraphqlSchema(): Promise<GraphQLSchema> {
  return buildSchema({ resolvers, authChecker, validate: false });
}
