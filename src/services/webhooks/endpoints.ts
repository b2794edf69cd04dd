// Partner webhook endpoints: create (secret shown once), list, update, delete, rotate the secret.
import type { Ctx, Deps } from '../../context';
import { badInput, notFound } from '../../domain/errors';
import { newId } from '../../domain/ids';
import { isWebhookEvent, WEBHOOK_EVENTS } from '../../domain/webhook-events';
import type { WebhookEndpoint } from '../../generated/prisma/client';
import { generateWebhookSecret } from './signing';
import { assertWebhookUrl } from './ssrf';
import { optionalText } from '../common/validate';
import { owned } from '../common/scope';

/** After a rotation the old secret keeps signing for this long. */
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;

export interface WebhookView {
  id: string;
  environment: WebhookEndpoint['environment'];
  url: string;
  description: string | null;
  events: string[];
  isActive: boolean;
  disabledReason: string | null;
  disabledAt: Date | null;
  createdAt: Date;
}

export const toWebhookView = (e: WebhookEndpoint): WebhookView => ({
  id: e.id, environment: e.environment, url: e.url, description: e.description, events: e.events, isActive: e.isActive,
  disabledReason: e.disabledReason, disabledAt: e.disabledAt, createdAt: e.createdAt,
});

const aad = (id: string, which: 'secret') => `WebhookEndpoint:${id}:${which}`;

function events(list: string[]): string[] {
  const unique = [...new Set(list.map((e) => e.trim()))];
  if (!unique.length) throw badInput('events must name at least one event', 'events');
  const unknown = unique.filter((e) => !isWebhookEvent(e));
  if (unknown.length) throw badInput(`unknown event(s) ${unknown.join(', ')}; known: ${WEBHOOK_EVENTS.join(', ')}`, 'events');
  return unique;
}

const url = (ctx: Ctx, raw: string) =>
  assertWebhookUrl(raw.trim(), { allowPrivate: ctx.deps.config.webhookAllowPrivateUrls, requireHttps: ctx.deps.config.env === 'production' });

async function own(ctx: Ctx, id: string): Promise<WebhookEndpoint> {
  const e = await ctx.deps.db.webhookEndpoint.findFirst({ where: { id, ...owned(ctx) } });
  if (!e) throw notFound('webhook', id);
  return e;
}

export const MAX_ENDPOINTS = 20;

export async function createWebhook(ctx: Ctx, input: { url: string; events: string[]; description?: string | null }): Promise<{ id: string; secret: string }> {
  const list = events(input.events);
  const description = optionalText(input.description, 'description', 500) ?? null;
  const target = await url(ctx, input.url);
  // Every endpoint can hold delivery slots: an organization may not take them all.
  // Per environment: TEST endpoints never use up what LIVE needs.
  if ((await ctx.deps.db.webhookEndpoint.count({ where: owned(ctx) })) >= MAX_ENDPOINTS) {
    throw badInput(`an organization may have at most ${MAX_ENDPOINTS} webhook endpoints; delete one first`, 'url');
  }
  const id = newId('whk');
  const secret = generateWebhookSecret();
  await ctx.deps.db.webhookEndpoint.create({
    data: { id, ...owned(ctx), url: target, events: list, description, secretEncrypted: ctx.deps.secrets.seal(secret, aad(id, 'secret')) },
  });
  ctx.log.info({ webhookId: id, events: list }, 'webhook created');
  return { id, secret };
}

export async function listWebhooks(ctx: Ctx): Promise<WebhookView[]> {
  const rows = await ctx.deps.db.webhookEndpoint.findMany({ where: owned(ctx), orderBy: { createdAt: 'asc' } });
  return rows.map(toWebhookView);
}

export async function updateWebhook(
  ctx: Ctx,
  id: string,
  input: { url?: string | null; events?: string[] | null; description?: string | null; isActive?: boolean | null },
): Promise<WebhookView> {
  await own(ctx, id);
  const data = {
    ...(input.url != null ? { url: await url(ctx, input.url) } : {}),
    ...(input.events != null ? { events: events(input.events) } : {}),
    ...(input.description !== undefined ? { description: optionalText(input.description, 'description', 500) ?? null } : {}),
    // Enabling again clears the reason it was disabled and its failure streak.
    ...(input.isActive === true ? { isActive: true, disabledReason: null, disabledAt: null, failingSince: null } : {}),
    ...(input.isActive === false ? { isActive: false, disabledReason: 'disabled through the API', disabledAt: new Date() } : {}),
  };
  return toWebhookView(await ctx.deps.db.webhookEndpoint.update({ where: { id }, data }));
}

export async function deleteWebhook(ctx: Ctx, id: string): Promise<boolean> {
  const { count } = await ctx.deps.db.webhookEndpoint.deleteMany({ where: { id, ...owned(ctx) } });
  if (!count) throw notFound('webhook', id);
  return true;
}

export async function rotateWebhookSecret(ctx: Ctx, id: string): Promise<{ id: string; secret: string }> {
  const endpoint = await own(ctx, id);
  const secret = generateWebhookSecret();
  await ctx.deps.db.webhookEndpoint.update({
    where: { id },
    data: {
      secretEncrypted: ctx.deps.secrets.seal(secret, aad(id, 'secret')),
      previousSecretEncrypted: endpoint.secretEncrypted,
      previousSecretExpiresAt: new Date(Date.now() + ROTATION_OVERLAP_MS),
    },
  });
  ctx.log.info({ webhookId: id }, 'webhook secret rotated');
  return { id, secret };
}

/** The secrets that sign a delivery now: the current one, and the previous one during a rotation. */
export function signingSecrets(deps: Deps, e: WebhookEndpoint, now = new Date()): string[] {
  const secrets = [deps.secrets.open(e.secretEncrypted, aad(e.id, 'secret'))];
  if (e.previousSecretEncrypted && e.previousSecretExpiresAt && e.previousSecretExpiresAt > now) {
    secrets.push(deps.secrets.open(e.previousSecretEncrypted, aad(e.id, 'secret')));
  }
  return secrets;
}
