import type { AuthChecker } from 'type-graphql';
import { AppError, AUTH_MESSAGES } from '../domain/errors';
import type { Role } from '../generated/prisma/enums';
import { hasRole } from '../services/auth/authenticate';
import type { GqlContext } from './context';

/** @Authorized('OWNER') or @Authorized('ADMIN'); a role too low is FORBIDDEN with the docs/api.md message. */
export const authChecker: AuthChecker<GqlContext, Role> = ({ context }, roles) => {
  const required: Role = roles.includes('ADMIN') ? 'ADMIN' : roles.includes('OWNER') ? 'OWNER' : 'ADMIN';
  if (!hasRole(context.principal.role, required)) throw new AppError('FORBIDDEN', AUTH_MESSAGES.forbidden);
  return true;
};
