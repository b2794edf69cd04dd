// configurePaymentGateway: create a gateway, or update the one with the same (type, publicId):
// calling again rotates the secret. Secrets are sealed at once and never leave this function.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Ctx } from '../../context';
import { AppError, badInput } from '../../domain/errors';
import { newId } from '../../domain/ids';
import type { Environment, GatewayType } from '../../generated/prisma/enums';
import { gatewayAdapter, isConfigurable } from '../../gateways/registry';
import { GatewayError, type GatewayAdapter, type GatewayCredentials } from '../../gateways/types';
import { isUniqueViolation } from '../common/db-errors';
import type { Prisma } from '../../generated/prisma/client';
import { externalId, optionalText, text } from '../common/validate';
import { adapterEnv, unavailableReason } from './load-gateway';
import { gatewayViewSelect, secretAad, toGatewayView, type GatewayView } from './view';

export interface ConfigureGatewayInput {
  organizationId: string;
  type: GatewayType;
  /** Default: the key's environment. A key configures only gateways of its own environment. */
  environment?: Environment | null;
  publicId: string;
  apiSecret: string;
  webhookSecret?: string | null;
  description?: string | null;
  clubIds?: string[] | null;
  isActive?: boolean | null;
  twoStage?: boolean | null;
  availableCurrencies?: string[] | null;
  cryptocurrency?: string | null;
}

const MAX_CLUBS = 1000;
const MAX_GATEWAYS = 50;

export async function configureGateway(ctx: Ctx, input: ConfigureGatewayInput): Promise<GatewayView> {
  if (input.organizationId !== ctx.orgId) {
    throw new AppError('FORBIDDEN', 'organizationId does not match the organization of this API key');
  }
  if (!isConfigurable(input.type)) throw badInput(`${input.type} is built in (payments staff record with recordManualPayment) and has no gateway to configure`, 'type');
  const adapter = gatewayAdapter(input.type);
  const unavailable = unavailableReason(ctx.deps.config, adapter);
  if (unavailable) throw badInput(unavailable, 'type');
  const environment = gatewayEnvironment(ctx, adapter, input.environment ?? undefined);
  const publicId = text(input.publicId, 'publicId', 200);
  const apiSecret = text(input.apiSecret, 'apiSecret', 1000);
  const webhookSecret = optionalText(input.webhookSecret, 'webhookSecret', 1000);
  const description = optionalText(input.description, 'description', 500);
  const clubIds = input.clubIds == null ? undefined : [...new Set(input.clubIds.map((id) => externalId(id, 'clubIds')))];
  if (clubIds && clubIds.length > MAX_CLUBS) throw badInput(`clubIds may list at most ${MAX_CLUBS} clubs`, 'clubIds');
  // Each gateway says which settings apply to it; only what was given is checked and changed.
  const given = {
    ...(input.twoStage != null ? { twoStage: input.twoStage } : {}),
    ...(input.availableCurrencies != null ? { availableCurrencies: input.availableCurrencies } : {}),
    ...(input.cryptocurrency != null ? { cryptocurrency: input.cryptocurrency } : {}),
  };
  const checked = adapter.settings(given);
  if (!checked.ok) throw badInput(checked.message, checked.field);
  const settings = given.availableCurrencies !== undefined || given.cryptocurrency !== undefined ? checked.settings : undefined;
  if (webhookSecret && adapter.webhookSecret === 'unused') {
    throw badInput(`${input.type} signs its callbacks with the API Secret; webhookSecret is not used`, 'webhookSecret');
  }

  const stored = await ctx.deps.db.paymentGateway.findUnique({
    where: { organizationId_environment_type_publicId: { organizationId: ctx.orgId, environment, type: input.type, publicId } },
    select: { id: true, apiSecretEncrypted: true, webhookSecretEncrypted: true },
  });
  // Per environment: TEST gateways never use up what LIVE needs.
  if (!stored && (await ctx.deps.db.paymentGateway.count({ where: { organizationId: ctx.orgId, environment } })) >= MAX_GATEWAYS) {
    throw badInput(`an organization may have at most ${MAX_GATEWAYS} ${environment} payment gateways`, 'publicId');
  }
  if (!stored && adapter.webhookSecret === 'required' && !webhookSecret) {
    throw badInput(`${input.type} needs webhookSecret (the secret its callbacks are signed with)`, 'webhookSecret');
  }
  // New or changed credentials are checked with the gateway before anything is written, whether or
  // not the gateway is to be active: callbacks of inactive gateways still book (late Pays), so an
  // unchecked secret would let anyone who knows it sign them.
  if (!stored || credentialsChange(ctx, stored, apiSecret, webhookSecret ?? undefined)) {
    await checkCredentials(ctx, adapter, { publicId, apiSecret, webhookSecret: webhookSecret ?? undefined, twoStage: !!input.twoStage });
  }

  const attempt = () =>
    ctx.deps.db.$transaction(async (tx) => {
      if (clubIds?.length) {
        const found = await tx.club.findMany({ where: { organizationId: ctx.orgId, id: { in: clubIds } }, select: { id: true } });
        const known = new Set(found.map((c) => c.id));
        const unknown = clubIds.filter((id) => !known.has(id));
        if (unknown.length) throw badInput(`unknown club(s): ${unknown.join(', ')}; create them with upsertClub first`, 'clubIds');
      }
      const existing = await tx.paymentGateway.findUnique({
        where: { organizationId_environment_type_publicId: { organizationId: ctx.orgId, environment, type: input.type, publicId } },
        select: { id: true, webhookSecretEncrypted: true },
      });
      if (!existing && adapter.webhookSecret === 'required' && !webhookSecret) {
        throw badInput(`${input.type} needs webhookSecret (the secret its callbacks are signed with)`, 'webhookSecret');
      }
      const id = existing?.id ?? newId('gw');
      const sealed = {
        apiSecretEncrypted: ctx.deps.secrets.seal(apiSecret, secretAad(id, 'apiSecret')),
        ...(webhookSecret ? { webhookSecretEncrypted: ctx.deps.secrets.seal(webhookSecret, secretAad(id, 'webhookSecret')) } : {}),
      };
      if (existing) {
        await tx.paymentGateway.update({
          where: { id },
          data: {
            ...sealed,
            ...(description !== undefined ? { description } : {}),
            ...(input.isActive != null ? { isActive: input.isActive } : {}),
            ...(checked.twoStage !== undefined ? { twoStage: checked.twoStage } : {}),
            ...(settings ? { settings: settings as Prisma.InputJsonObject } : {}),
          },
        });
      } else {
        await tx.paymentGateway.create({
          data: {
            id,
            organizationId: ctx.orgId,
            environment,
            type: input.type,
            publicId,
            ...sealed,
            description: description ?? null,
            isActive: input.isActive ?? true,
            twoStage: checked.twoStage ?? false,
            settings: (settings ?? {}) as Prisma.InputJsonObject,
          },
        });
      }
      if (clubIds) {
        await tx.paymentGatewayClub.deleteMany({ where: { gatewayId: id, clubId: { notIn: clubIds } } });
        // A club is served by one gateway per environment: listing it here moves it from any other
        // gateway of this environment, never from one of the other environment.
        for (const clubId of clubIds) {
          await tx.paymentGatewayClub.upsert({
            where: { organizationId_clubId_environment: { organizationId: ctx.orgId, clubId, environment } },
            create: { organizationId: ctx.orgId, clubId, gatewayId: id, environment },
            update: { gatewayId: id },
          });
        }
      }
      const row = await tx.paymentGateway.findUniqueOrThrow({ where: { id }, select: gatewayViewSelect });
      return { row, created: !existing };
    });

  let result;
  try {
    result = await attempt();
  } catch (err) {
    // Two first calls for the same gateway at once: the loser finds the winner's row on retry.
    if (!isUniqueViolation(err)) throw err;
    result = await attempt();
  }
  ctx.log.info({ gatewayId: result.row.id, type: input.type, created: result.created }, 'payment gateway configured');
  return toGatewayView(ctx.deps.config, result.row);
}

/**
 * The gateway's environment: the key's own, unless the input names another, which is refused (a
 * key changes only its environment's gateways); a gateway type that cannot serve it is refused too.
 */
function gatewayEnvironment(ctx: Ctx, adapter: GatewayAdapter, asked: Environment | undefined): Environment {
  if (asked && asked !== ctx.env) {
    throw new AppError('FORBIDDEN', `a ${ctx.env} key cannot configure a ${asked} gateway; use a ${asked} key`, { details: { field: 'environment' } });
  }
  if (!adapter.environments.includes(ctx.env)) {
    throw badInput(`${adapter.type} is a ${adapter.environments.join('/')} gateway: configure it with a ${adapter.environments[0]} key (pgk_${adapter.environments[0].toLowerCase()}_…)`, 'environment');
  }
  return ctx.env;
}

function credentialsChange(
  ctx: Ctx,
  existing: { id: string; apiSecretEncrypted: string; webhookSecretEncrypted: string | null },
  apiSecret: string,
  webhookSecret: string | undefined,
): boolean {
  const opened = (sealed: string, field: 'apiSecret' | 'webhookSecret') => ctx.deps.secrets.open(sealed, secretAad(existing.id, field));
  if (!sameSecret(opened(existing.apiSecretEncrypted, 'apiSecret'), apiSecret)) return true;
  if (webhookSecret === undefined) return false;
  return !existing.webhookSecretEncrypted || !sameSecret(opened(existing.webhookSecretEncrypted, 'webhookSecret'), webhookSecret);
}

function sameSecret(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

async function checkCredentials(ctx: Ctx, adapter: GatewayAdapter, creds: Omit<GatewayCredentials, 'gatewayId'>): Promise<void> {
  const env = adapterEnv(ctx.deps.config, adapter, ctx.log);
  let accepted: boolean;
  try {
    accepted = await adapter.verifyCredentials(env, { gatewayId: '(new)', ...creds });
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    throw new AppError('GATEWAY_ERROR', `could not check the credentials with ${adapter.displayName} (${err.message}); nothing was changed`, { cause: err });
  }
  if (!accepted) {
    throw badInput(`${adapter.displayName} refused this Public ID and API Secret; nothing was changed`, 'apiSecret');
  }
}
