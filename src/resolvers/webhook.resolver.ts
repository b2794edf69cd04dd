import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { WebhookDeliveryStatus } from '../generated/prisma/enums';
import { listDeliveries, replayDeliveries, replayDelivery } from '../services/webhooks/deliveries';
import { createWebhook, deleteWebhook, listWebhooks, rotateWebhookSecret, updateWebhook } from '../services/webhooks/endpoints';
import { serviceCtx, type GqlContext } from './context';
import { CreateWebhookInput, CreateWebhookResult, UpdateWebhookInput, Webhook, WebhookDelivery, WebhookDeliveryConnection } from './webhook.types';

@Resolver(() => Webhook)
export class WebhookResolver {
  @Authorized('VIEWER')
  @Query(() => [Webhook])
  webhooks(@Ctx() ctx: GqlContext): Promise<Webhook[]> {
    return listWebhooks(serviceCtx(ctx));
  }

  @Authorized('VIEWER')
  @Query(() => WebhookDeliveryConnection, { description: 'The delivery log of one webhook, newest first, with every attempt' })
  webhookDeliveries(
    @Arg('webhookId', () => ID) webhookId: string,
    @Arg('status', () => WebhookDeliveryStatus, { nullable: true }) status: WebhookDeliveryStatus | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GqlContext,
  ): Promise<WebhookDeliveryConnection> {
    return listDeliveries(serviceCtx(ctx), { webhookId, status, first, after });
  }

  @Authorized('ADMIN')
  @Mutation(() => CreateWebhookResult)
  createWebhook(@Arg('input', () => CreateWebhookInput) input: CreateWebhookInput, @Ctx() ctx: GqlContext): Promise<CreateWebhookResult> {
    return createWebhook(serviceCtx(ctx), input);
  }

  @Authorized('ADMIN')
  @Mutation(() => Webhook)
  updateWebhook(@Arg('id', () => ID) id: string, @Arg('input', () => UpdateWebhookInput) input: UpdateWebhookInput, @Ctx() ctx: GqlContext): Promise<Webhook> {
    return updateWebhook(serviceCtx(ctx), id, input);
  }

  @Authorized('ADMIN')
  @Mutation(() => Boolean)
  deleteWebhook(@Arg('id', () => ID) id: string, @Ctx() ctx: GqlContext): Promise<boolean> {
    return deleteWebhook(serviceCtx(ctx), id);
  }

  @Authorized('ADMIN')
  @Mutation(() => CreateWebhookResult, { description: 'A new secret (shown once); the old one keeps signing beside it for 24 hours' })
  rotateWebhookSecret(@Arg('id', () => ID) id: string, @Ctx() ctx: GqlContext): Promise<CreateWebhookResult> {
    return rotateWebhookSecret(serviceCtx(ctx), id);
  }

  @Authorized('ADMIN')
  @Mutation(() => WebhookDelivery, { description: 'Send one delivery again (same webhook-id)' })
  replayWebhookDelivery(@Arg('id', () => ID) id: string, @Ctx() ctx: GqlContext): Promise<WebhookDelivery> {
    return replayDelivery(serviceCtx(ctx), id);
  }

  @Authorized('ADMIN')
  @Mutation(() => Int, { description: 'Send again everything not delivered since `since`; returns how many' })
  replayWebhookDeliveries(
    @Arg('webhookId', () => ID) webhookId: string,
    @Arg('since', () => DateTimeResolver) since: Date,
    @Ctx() ctx: GqlContext,
  ): Promise<number> {
    return replayDeliveries(serviceCtx(ctx), webhookId, since);
  }
}
