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
  id: string; organizationId: string; type: GatewayType; environment: Environment; isActive: boolean; publicId: string;
  apiSecretEncrypted: string; webhookSecretEncrypted: string | null; twoStage: boolean; settings: unknown;
}
// Every callback loads its gateway: a prepared statement through the pool, outside Prisma's runtime.
const GATEWAY_BY_ID = {
  name: 'gateway-by-id',
  text: 'SELECT id, "organizationId", type, environment, "isActive", "publicId", "apiSecretEncrypted", "webhookSecretEncrypted", "twoStage", settings FROM "PaymentGateway" WHERE id = $1',
};

export async function loadGateway(deps: Deps, gatewayId: string): Promise<LoadedGateway | null> {
  const { rows: [row] } = await deps.pg.query<GatewayRow>({ ...GATEWAY_BY_ID, values: [gatewayId] });
  if (!row) return null;
  const adapter = gatewayAdapter(row.type);
  return {
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

/** For an operation someone asked for: the payment's gateway, or a clear refusal saying why not. */
export async function gatewayForOperation(deps: Deps, gatewayId: string): Promise<LoadedGateway> {
  const gateway = await loadGateway(deps, gatewayId);
  if (!gateway) throw new Error(`gateway ${gatewayId} of a stored payment is missing`);
  if (gateway.unavailable) throw badInput(`${gateway.unavailable}; nothing was changed`, 'id');
  return gateway;
}
