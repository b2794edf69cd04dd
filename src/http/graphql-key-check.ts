// A request whose key came from this process's cache (services/auth/authenticate.ts, KeyCheck)
// reads the key's row before anything is answered: before the operation runs, or, for the
// operations below, inside the resolver's own statement (one round trip instead of two on the hot
// read). Whatever path a request takes — invalid document, skipped field, resolver error — a key
// still unchecked when the answer is ready is checked then, and a revoked key's answer is replaced
// by the same 401 a request with that key gets from the start.
import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type OperationDefinitionNode } from 'graphql';
import { AppError } from '../domain/errors';
import type { GqlContext } from '../resolvers/context';
import { toGraphQLError } from './errors';

/** Root query fields whose resolvers settle the key in their own statement (find-payment.ts, effective-filter.ts). */
const CHECKING_THEIR_KEY = new Set(['payment', 'payments', '__typename']);

/** Per operation of a parsed document (Apollo hands every request of one query text the same one). */
const checksItself = new WeakMap<OperationDefinitionNode, boolean>();

/** The operation is a query whose every root selection is a field that checks the key itself. */
function operationChecksKey(operation: OperationDefinitionNode | undefined): boolean {
  if (!operation) return false;
  let found = checksItself.get(operation);
  if (found === undefined) {
    found = operation.operation === 'query' && operation.selectionSet.selections.every((s) => s.kind === Kind.FIELD && CHECKING_THEIR_KEY.has(s.name.value));
    checksItself.set(operation, found);
  }
  return found;
}

export function keyChecked(): ApolloServerPlugin<GqlContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, contextValue }) {
          if (operationChecksKey(operation)) return;
          await contextValue.key.ensure().catch((err) => {
            throw err instanceof AppError ? toGraphQLError(err) : err;
          });
        },
        async willSendResponse({ contextValue, response }) {
          const key = contextValue?.key;
          if (!key) return;
          // A request is counted in its key's usage once the key is known to be live, never for a refused one.
          const counted = () => contextValue.deps.usage.count(key.principal.tokenId, key.principal.orgId);
          if (key.verified) return counted();
          let error: { message: string; code: string; status: number };
          try {
            await key.ensure(); // unchecked so far: read it now
            return counted();
          } catch (err) {
            // Fails closed: an answer whose key could not be read is not sent.
            if (!(err instanceof AppError)) contextValue.log.error({ err }, 'API key not checked: Postgres unavailable');
            error = err instanceof AppError ? { message: err.message, code: err.code, status: 401 } : { message: 'Internal server error', code: 'INTERNAL_SERVER_ERROR', status: 500 };
          }
          response.body = { kind: 'single', singleResult: { errors: [{ message: error.message, extensions: { code: error.code } }] } };
          response.http.status = error.status;
        },
      };
    },
  };
}
