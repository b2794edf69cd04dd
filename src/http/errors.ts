// One place turns any error into the public error shape: GraphQL errors (formatError) and plain
// HTTP routes (Fastify's error handler). Unknown errors are logged and masked.
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import { AppError, type ErrorCode } from '../domain/errors';
import type { Logger } from '../log';
import { withoutEchoedValues, withoutSuggestions } from './error-messages';

const PUBLIC_CODES = new Set<string>(['BAD_USER_INPUT', 'NOT_FOUND', 'CONFLICT', 'FORBIDDEN', 'UNAUTHENTICATED', 'GATEWAY_ERROR', 'RATE_LIMITED']);
/** Apollo's and graphql-js's own codes for a request that is malformed: bad input to our clients. */
const REQUEST_ERROR_CODES = new Set<string>(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'BAD_REQUEST', 'OPERATION_RESOLUTION_FAILURE', 'PERSISTED_QUERY_NOT_SUPPORTED']);
/** Codes that also set the HTTP status of a GraphQL response (docs/api.md: 401, 403; 429 for the rate limit). */
const HTTP_STATUS_CODES: Partial<Record<ErrorCode, number>> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, RATE_LIMITED: 429 };

export function formatGraphqlError(log: Logger, options: { hideSuggestions?: boolean } = {}) {
  const shown = (message: string) => (options.hideSuggestions ? withoutSuggestions(message) : message);
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const { locations, path } = formatted;
    if (original instanceof AppError && original.code !== 'INTERNAL_SERVER_ERROR') {
      return { message: original.message, locations, path, extensions: { code: original.code, ...original.details } };
    }
    const code = String(formatted.extensions?.code ?? '');
    const scalarCode = (original instanceof GraphQLError && original.originalError instanceof GraphQLError)
      ? original.originalError.extensions?.code : undefined;
    if (REQUEST_ERROR_CODES.has(code) || scalarCode === 'BAD_USER_INPUT') {
      return { message: shown(withoutEchoedValues(formatted.message)), locations, path, extensions: { code: 'BAD_USER_INPUT' } };
    }
    if (PUBLIC_CODES.has(code)) return { message: shown(formatted.message), locations, path, extensions: { code } };
    log.error({ err: original, path }, 'unhandled GraphQL error');
    return { message: 'Internal server error', locations, path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

/** The code a caller gets for an error (formatGraphqlError's): what the audit log records as a call's outcome. */
export function publicCode(error: unknown): string {
  const original = unwrapResolverError(error);
  if (original instanceof AppError) return original.code;
  const code = error instanceof GraphQLError ? String(error.extensions?.code ?? '') : '';
  const scalarCode = (original instanceof GraphQLError && original.originalError instanceof GraphQLError) ? original.originalError.extensions?.code : undefined;
  if (REQUEST_ERROR_CODES.has(code) || scalarCode === 'BAD_USER_INPUT') return 'BAD_USER_INPUT';
  return PUBLIC_CODES.has(code) ? code : 'INTERNAL_SERVER_ERROR';
}

/** The GraphQL form of an AppError, carrying its HTTP status where docs/api.md asks for one (and Retry-After). */
export function toGraphQLError(err: AppError, statusOverride?: number): GraphQLError {
  const status = statusOverride ?? HTTP_STATUS_CODES[err.code];
  const retryAfter = err.details?.retryAfterSeconds;
  const http = status ? { status, ...(retryAfter ? { headers: new Map([['retry-after', String(retryAfter)]]) } : {}) } : undefined;
  return new GraphQLError(err.message, { originalError: err, extensions: { code: err.code, ...err.details, ...(http ? { http } : {}) } });
}

/** Fastify errors (bad JSON, body too large, unknown content type …) and our own, as AppErrors. */
export function toAppError(err: unknown): { error: AppError; status: number } {
  if (err instanceof AppError) return { error: err, status: err.httpStatus };
  const e = err as { statusCode?: number; code?: string; message?: string; validation?: unknown };
  if (e?.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    const message =
      e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
        ? 'Malformed JSON body'
        : (e.message ?? 'Bad request');
    return { error: new AppError('BAD_USER_INPUT', message), status: e.statusCode };
  }
  return { error: new AppError('INTERNAL_SERVER_ERROR', 'Internal server error', { cause: err }), status: 500 };
}

export { HTTP_STATUS_CODES };
