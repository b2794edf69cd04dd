import { buildSchema } from 'type-graphql';
import type { GraphQLSchema } from 'graphql';
import { authChecker } from './auth-checker';
import { ClientResolver } from './client.resolver';
import { ClubResolver } from './club.resolver';
import { GatewayResolver } from './gateway.resolver';
import { PaymentResolver } from './payment.resolver';
import { PaymentBackOfficeResolver, PaymentListResolver } from './payment-list.resolver';
import { OrganizationResolver } from './organization.resolver';
import { MoneyMovementResolver } from './refund.resolver';
import { SavedCardResolver } from './saved-card.resolver';
import { WebhookResolver } from './webhook.resolver';

export const resolvers = [GatewayResolver, ClubResolver, ClientResolver, PaymentResolver, PaymentListResolver, PaymentBackOfficeResolver, MoneyMovementResolver, WebhookResolver, OrganizationResolver, SavedCardResolver] as const;

export function buildGraphqlSchema(): Promise<GraphQLSchema> {
  return buildSchema({ resolvers, authChecker, validate: false });
}
