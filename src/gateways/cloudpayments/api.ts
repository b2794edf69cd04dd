// CloudPayments API client: HTTP Basic (Public ID / API Secret), JSON bodies, the
// {Success, Message, Model} envelope. Success only says the request worked, not the payment's fate.
import { gatewayHttp } from '../http';
import { GatewayError, type AdapterEnv, type GatewayCredentials } from '../types';

/** Methods that only read: safe to repeat without an X-Request-ID. */
const READ_ONLY = new Set(['test', 'payments/get', 'payments/find', 'v2/payments/find', 'payments/list', 'v2/payments/list', 'subscriptions/get', 'subscriptions/find']);

export interface Envelope<M> {
  Success: boolean;
  Message: string | null;
  Model?: M;
}

/**
 * One API call. Mutating calls carry an X-Request-ID: CloudPayments carries out a request with a
 * known id once and answers the same way again, which is what makes retrying them safe.
 */
export async function cpRequest<M>(
  env: AdapterEnv,
  creds: GatewayCredentials,
  path: string,
  body: Record<string, unknown>,
  options: { requestId?: string } = {},
): Promise<Envelope<M>> {
  const { status, json } = await gatewayHttp(env, 'CloudPayments', {
    path,
    body,
    headers: {
      authorization: `Basic ${Buffer.from(`${creds.publicId}:${creds.apiSecret}`).toString('base64')}`,
      ...(options.requestId ? { 'x-request-id': options.requestId } : {}),
    },
    repeatable: READ_ONLY.has(path) || options.requestId !== undefined,
  });
  const envelope = json as Envelope<M> | null;
  if (status >= 300 || !envelope || typeof envelope.Success !== 'boolean') {
    throw new GatewayError(`CloudPayments ${path}: unexpected answer (HTTP ${status})`, false, { httpStatus: status });
  }
  return envelope;
}
