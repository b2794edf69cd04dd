// The demo organization `npm run demo` sets up: a SANDBOX gateway, a club, a client, and 54-FZ
// receipts switched on (the sandbox's cash register prints them).
// Safe to run again: it reuses what exists and issues a fresh TEST OWNER key (keys show once),
// revoking the one the previous run printed:
// the sandbox is a TEST gateway, so a LIVE key would find no gateway for the demo club.
import { randomBytes } from 'node:crypto';
import type { Deps } from '../context';
import { systemCtx } from '../context';
import { issueToken } from '../services/auth/tokens';
import { newOrgCode } from '../domain/ids';
import { upsertClient } from '../services/clients/upsert-client';
import { upsertClub } from '../services/clubs/upsert-club';
import { configureGateway } from '../services/gateways/configure-gateway';
import { getOrganization, updateOrganization } from '../services/organizations/organization';

const DEMO_KEY_NAME = 'npm run demo';

export const DEMO = { orgId: 'org_demo', clubId: 'club_demo', clientId: 'client_demo', publicId: 'pk_sandbox_demo', inn: '7707083893' } as const;

export async function seedDemo(deps: Deps) {
  await deps.db.organization.upsert({ where: { id: DEMO.orgId }, create: { id: DEMO.orgId, name: 'Demo club chain', code: newOrgCode() }, update: {} });
  const ctx = systemCtx(deps, DEMO.orgId, 'TEST', 'cli:demo');
  await upsertClub(ctx, { id: DEMO.clubId, name: 'Demo fitness club' });
  await upsertClient(ctx, { id: DEMO.clientId, clubId: DEMO.clubId, name: 'Demo client', email: 'client@example.com' });
  // A valid-looking INN (checksum), УСН доход: the sandbox's register prints receipts for it.
  if (!(await getOrganization(ctx)).fiscal) await updateOrganization(ctx, { fiscal: { inn: DEMO.inn, taxationSystem: 1, receiptsEnabled: true } });
  const existing = await deps.db.paymentGateway.findUnique({
    where: { organizationId_environment_type_publicId: { organizationId: DEMO.orgId, environment: 'TEST', type: 'SANDBOX', publicId: DEMO.publicId } },
  });
  const gateway = existing
    ? { id: existing.id }
    : await configureGateway(ctx, {
        organizationId: DEMO.orgId,
        type: 'SANDBOX',
        publicId: DEMO.publicId,
        apiSecret: randomBytes(24).toString('base64url'),
        description: 'Sandbox (CloudPayments test mode)',
      });
  // One demo key at a time: the previous run's is revoked, not left valid forever.
  await deps.db.apiToken.updateMany({ where: { organizationId: DEMO.orgId, name: DEMO_KEY_NAME, revokedAt: null }, data: { revokedAt: new Date() } });
  const { token } = await issueToken(deps.db, DEMO.orgId, 'OWNER', { name: DEMO_KEY_NAME, environment: 'TEST' });
  return { organizationId: DEMO.orgId, token, gatewayId: gateway.id, clubId: DEMO.clubId, clientId: DEMO.clientId };
}
