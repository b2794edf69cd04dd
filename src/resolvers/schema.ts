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
import { AuditResolver } from './audit.resolver';
import { PaymentCommentResolver } from './payment-comment.resolver';
import { SavedFilterResolver } from './saved-filter.resolver';
import { AttentionResolver } from './attention.resolver';
import { SubscriptionResolver } from './subscription.resolver';
import { AutoTopUpResolver } from './auto-top-up.resolver';
import { LedgerEntryReceiptResolver, PaymentReceiptsResolver, ReceiptResolver } from './receipt.resolver';

export const resolvers = [GatewayResolver, ClubResolver, ClientResolver, PaymentResolver, PaymentListResolver, PaymentBackOfficeResolver, MoneyMovementResolver, WebhookResolver, OrganizationResolver, AuditResolver, PaymentCommentResolver, SavedFilterResolver, AttentionResolver, SavedCardResolver,
  SubscriptionResolver, AutoTopUpResolver, ReceiptResolver, PaymentReceiptsResolver, LedgerEntryReceiptResolver] as const;

let built: Promise<GraphQLSchema> | undefined;

/** Built once per process: the GraphQL route and the CSV exports' filter read the same one. */
export function buildGraphqlSchema(): Promise<GraphQLSchema> {
  return (built ??= buildSchema({ resolvers, authChecker, validate: false }));
}
