// A stored gateway with its adapter and decrypted credentials, for the moment they are needed.
import type { Config } from '../../config';
import type { Deps } from '../../context';
import type { Logger } from '../../log';
import { badInput } from '../../domain/errors';
import type { Environment, GatewayType } from '../../generated/prisma/enums';
import { gatewayAdapter } from '../../gateways/registry';
import type { AdapterEnv, GatewayAdapter, GatewayCredentials } from '../../gateways/types';
import { secretAad } from './view';

export interface LoadedGateway {
  id: string;
  organizationId: string;
  type: GatewayType;
  environment: Environment;
  isActive: boolean;
  /** Why this server cannot use the gateway at all (the sandbox switched off), or null. */
  unavailable: string | null;
  adapter: GatewayAdapter;
  creds: GatewayCredentials;
  env: AdapterEnv;
  /** The stored row's version (Postgres' xmin): any change to the gateway (a rotated secret) changes it. */
  version: string;
}

/** A gateway Paygate emulates itself exists only where the emulator runs (SANDBOX_ENABLED). */
export function unavailableReason(config: Config, adapter: GatewayAdapter): string | null {
  return 'emulatedAt' in adapter.api && !config.sandboxEnabled ? `the ${adapter.type} gateway is disabled on this server (SANDBOX_ENABLED=false)` : null;
}

/** What an adapter is handed to talk to its gateway. */
export function adapterEnv(config: Config, adapter: GatewayAdapter, log: Logger): AdapterEnv {
  const baseUrl = 'emulatedAt' in adapter.api ? `${config.publicUrl}${adapter.api.emulatedAt}` : config.gatewayApiUrls[adapter.type];
  if (!baseUrl) throw new Error(`no API URL is configured for ${adapter.type}`);
  return { baseUrl, publicUrl: config.publicUrl, log };
}

interface GatewayRow {
  version: string; id: string; organizationId: string; type: GatewayType; environment: Environment; isActive: boolean; publicId: string;
  apiSecretEncrypted: string; webhookSecretEncrypted: string | null; twoStage: boolean; settings: unknown;
}
// Every callback loads its gateway: a prepared statement through the pool, outside Prisma's runtime.
const GATEWAY_BY_ID = {
  name: 'gateway-by-id',
  text: 'SELECT xmin::text AS version, id, "organizationId", type, environment, "isActive", "publicId", "apiSecretEncrypted", "webhookSecretEncrypted", "twoStage", settings FROM "PaymentGateway" WHERE id = $1',
};

/** Null also for a payment staff recorded (MANUAL): it has no gateway. */
export async function loadGateway(deps: Deps, gatewayId: string | null): Promise<LoadedGateway | null> {
  if (gatewayId === null) return null;
  const { rows: [row] } = await deps.pg.query<GatewayRow>({ ...GATEWAY_BY_ID, values: [gatewayId] });
  if (!row) return null;
  const adapter = gatewayAdapter(row.type);
  return {
    version: row.version,
    id: row.id,
    organizationId: row.organizationId,
    type: row.type,
    environment: row.environment,
    isActive: row.isActive,
    unavailable: unavailableReason(deps.config, adapter),
    adapter,
    creds: {
      gatewayId: row.id,
      publicId: row.publicId,
      apiSecret: deps.secrets.open(row.apiSecretEncrypted, secretAad(row.id, 'apiSecret')),
      webhookSecret: row.webhookSecretEncrypted ? deps.secrets.open(row.webhookSecretEncrypted, secretAad(row.id, 'webhookSecret')) : undefined,
      twoStage: row.twoStage,
      settings: (row.settings ?? {}) as Record<string, unknown>,
    },
    env: adapterEnv(deps.config, adapter, deps.log.child({ gatewayId: row.id, gatewayType: row.type })),
  };
}

// Callbacks verify with a gateway kept in memory (no query, no decryption). That is safe because
// the gateway is only trusted as far as its version: a signature it refuses is checked again
// against the stored gateway, and the callback's own read of the payment compares the stored
// version (gateway-word.ts), so a rotated secret is in force from the next callback on. (A
// callback whose check runs while a rotation commits is concurrent with it: either secret may
// verify it.) Entries are dropped after a minute, so no decrypted secret outlives its gateway long.
const cached = new WeakMap<Deps, Map<string, { gateway: LoadedGateway; until: number }>>();
const MAX_CACHED = 10_000;
const CACHED_FOR_MS = 60_000;

/** The gateway as this process last loaded it, or loaded now. */
export async function cachedGateway(deps: Deps, gatewayId: string): Promise<{ gateway: LoadedGateway | null; fromCache: boolean }> {
  let map = cached.get(deps);
  if (!map) cached.set(deps, (map = new Map()));
  const hit = map.get(gatewayId);
  if (hit && hit.until > Date.now()) return { gateway: hit.gateway, fromCache: true };
  const gateway = await loadGateway(deps, gatewayId);
  if (gateway) {
    if (map.size >= MAX_CACHED) map.clear();
    map.set(gatewayId, { gateway, until: Date.now() + CACHED_FOR_MS });
  } else map.delete(gatewayId);
  return { gateway, fromCache: false };
}

/** The stored gateway changed (or refused a signature): load it afresh next time. */
export function forgetGateway(deps: Deps, gatewayId: string): void {
  cached.get(deps)?.delete(gatewayId);
}

/** For an operation someone asked for: the payment's gateway, or a clear refusal saying why not. */
export async function gatewayForOperation(deps: Deps, gatewayId: string | null): Promise<LoadedGateway> {
  if (gatewayId === null) throw badInput('the payment was recorded by staff (MANUAL): it has no gateway to ask', 'id');
  const gateway = await loadGateway(deps, gatewayId);
  if (!gateway) throw new Error(`gateway ${gatewayId} of a stored payment is missing`);
  if (gateway.unavailable) throw badInput(`${gateway.unavailable}; nothing was changed`, 'id');
  return gateway;
}
