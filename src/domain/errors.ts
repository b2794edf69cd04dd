// One error type for every expected failure, and one table mapping its code to GraphQL and HTTP.

export const ERROR_CODES = {
  BAD_USER_INPUT: { httpStatus: 400 },
  NOT_FOUND: { httpStatus: 404 },
  CONFLICT: { httpStatus: 409 },
  FORBIDDEN: { httpStatus: 403 },
  UNAUTHENTICATED: { httpStatus: 401 },
  GATEWAY_ERROR: { httpStatus: 502 },
  RATE_LIMITED: { httpStatus: 429 },
  INTERNAL_SERVER_ERROR: { httpStatus: 500 },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  readonly code: ErrorCode;
  /** Extra machine-readable detail for the client (never secrets). */
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = options.details;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code].httpStatus;
  }
}

export const badInput = (message: string, field?: string) =>
  new AppError('BAD_USER_INPUT', message, field ? { details: { field } } : {});

export const notFound = (what: string, id: string, hint?: string) => new AppError('NOT_FOUND', `${what} ${id} not found${hint ? `; ${hint}` : ''}`);
/** Every mutation naming a client the organization does not have answers the same. */
export const unknownClient = (id: string) => notFound('client', id, 'create it with upsertClient first');

/** The messages integrators match on (docs/api.md, "Transport and auth"). */
export const AUTH_MESSAGES = {
  missing: 'Authorization field missing',
  invalid: 'Invalid API key',
  expired: 'Key has expired, please renew',
  forbidden: 'Access to this API has been disallowed',
  /** A route or operation switched off on this server (the sandbox when SANDBOX_ENABLED=false). */
  endpointForbidden: 'Requested endpoint is forbidden',
} as const;
