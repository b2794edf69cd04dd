import type { AuthChecker } from 'type-graphql';
import { AppError, AUTH_MESSAGES } from '../domain/errors';
import { mayAct, type Access } from '../services/auth/access';
import type { GqlContext } from './context';

/**
 * @Authorized('VIEWER') for reads, 'ADMIN' for changes, 'LIVE_OWNER' for keys and organization
 * settings; too low is FORBIDDEN with the docs/api.md message.
 */
export const authChecker: AuthChecker<GqlContext, Access> = ({ context }, accesses) => {
  const required = accesses[0] ?? 'ADMIN';
  if (!mayAct(context.key.principal, required)) throw new AppError('FORBIDDEN', AUTH_MESSAGES.forbidden);
  return true;
};
