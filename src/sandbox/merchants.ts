// The sandbox emulator's view of its "merchants": the SANDBOX gateways configured in Paygate.
import { timingSafeEqual } from 'node:crypto';
import type { Deps } from '../context';
import type { SandboxMerchant } from './emulator';
import { secretAad } from '../services/gateways/view';

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function sandboxMerchants(deps: Deps) {
  const open = (row: { id: string; publicId: string; apiSecretEncrypted: string }): SandboxMerchant => ({
    gatewayId: row.id,
    publicId: row.publicId,
    apiSecret: deps.secrets.open(row.apiSecretEncrypted, secretAad(row.id, 'apiSecret')),
  });
  return {
    async findMerchant(publicId: string, apiSecret: string): Promise<SandboxMerchant | null> {
      const rows = await deps.db.paymentGateway.findMany({ where: { type: 'SANDBOX', publicId } });
      return rows.map(open).find((m) => sameSecret(m.apiSecret, apiSecret)) ?? null;
    },
    async merchantByGatewayId(gatewayId: string): Promise<SandboxMerchant | null> {
      const row = await deps.db.paymentGateway.findUnique({ where: { id: gatewayId } });
      return row?.type === 'SANDBOX' ? open(row) : null;
    },
  };
}
