// Who may do what. Roles are ranked: a VIEWER reads, an ADMIN also changes, an OWNER also does
// what only owners do. Key management and organization settings need an OWNER key of LIVE: a TEST
// key is for integration code, and must not be able to mint or revoke live keys.
import type { Environment, Role } from '../../generated/prisma/enums';

export type Access = Role | 'LIVE_OWNER';

const RANK: Record<Role, number> = { VIEWER: 0, ADMIN: 1, OWNER: 2 };

export function mayAct(principal: { role: Role; environment: Environment }, required: Access): boolean {
  if (required === 'LIVE_OWNER') return principal.role === 'OWNER' && principal.environment === 'LIVE';
  return RANK[principal.role] >= RANK[required];
}
