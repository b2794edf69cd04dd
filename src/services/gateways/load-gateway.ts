// A stored gateway with its adapter and decrypted credentials, for the moment they are needed.
import type { Deps } from '../../context';
import type { GatewayType } from '../../generated/prisma/enums';
import { gatewayAdapter } from '../../gateways/registry';
import type { AdapterEnv, GatewayAdapter, GatewayCredentials } from '../../gateways/types';
import { secretAad } from './view';

export interface LoadedGateway {
  id: string;
  organizationId: string;
  type: GatewayType;
  isActive: boolean;
  adapter: GatewayAdapter;
  creds: GatewayCredentials;
  env: AdapterEnv;
}

export async function loadGateway(deps: Deps, gatewayId: string): Promise<LoadedGateway | null> {
  const row = await deps.db.paymentGateway.findUnique({ where: { id: gatewayId } });
  if (!row) return null;
  const adapter = gatewayAdapter(row.type);
  return {
    id: row.id,
    organizationId: row.organizationId,
    type: row.type,
    isActive: row.isActive,
    adapter,
    creds: {
      gatewayId: row.id,
      publicId: row.publicId,
      apiSecret: deps.secrets.open(row.apiSecretEncrypted, secretAad(row.id, 'apiSecret')),
      webhookSecret: row.webhookSecretEncrypted ? deps.secrets.open(row.webhookSecretEncrypted, secretAad(row.id, 'webhookSecret')) : undefined,
      twoStage: row.twoStage,
      settings: (row.settings ?? {}) as Record<string, unknown>,
    },
    env: {
      baseUrl: adapter.baseUrl(deps.config.gateways, deps.config.publicUrl),
      publicUrl: deps.config.publicUrl,
      log: deps.log.child({ gatewayId: row.id, gatewayType: row.type }),
    },
  };
}
