// CloudPayments API client: HTTP Basic (Public ID / API Secret), JSON bodies, the
// {Success, Message, Model} envelope. Success only says the request worked, not the payment's fate.
import { GatewayError, type AdapterEnv, type GatewayCredentials } from '../types';

const TIMEOUT_MS = 15_000;
const RETRY_DELAYS_MS = [200, 1000];
/** Methods that only read: safe to repeat without an X-Request-ID. */
const READ_ONLY = new Set(['test', 'payments/get', 'payments/find', 'v2/payments/find', 'payments/list', 'v2/payments/list']);

export interface Envelope<M> {
  Success: boolean;
  Message: string | null;
  Model?: M;
}

/**
 * One API call. Transport failures, 429 and 5xx are retried (bounded) only where repeating is
 * safe: read-only methods, and mutating ones sent with an X-Request-ID, which CloudPayments
 * executes once and answers the same way again.
 */
export async function cpRequest<M>(
  env: AdapterEnv,
  creds: GatewayCredentials,
  path: string,
  body: Record<string, unknown>,
  options: { requestId?: string } = {},
): Promise<Envelope<M>> {
  const repeatable = READ_ONLY.has(path) || options.requestId !== undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      return await callOnce<M>(env, creds, path, body, options);
    } catch (err) {
      const delay = RETRY_DELAYS_MS[attempt];
      if (!(err instanceof GatewayError) || !err.retryable || !repeatable || delay === undefined) throw err;
      env.log.warn({ path, attempt: attempt + 1 }, 'CloudPayments call failed; retrying');
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

async function callOnce<M>(
  env: AdapterEnv,
  creds: GatewayCredentials,
  path: string,
  body: Record<string, unknown>,
  options: { requestId?: string },
): Promise<Envelope<M>> {
  const started = Date.now();
  let res: Response;
  try {
    res = await fetch(`${env.baseUrl}/${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${creds.publicId}:${creds.apiSecret}`).toString('base64')}`,
        // CloudPayments executes a request with a known X-Request-ID once and replays its answer.
        ...(options.requestId ? { 'x-request-id': options.requestId } : {}),
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (cause) {
    env.log.warn({ path, latencyMs: Date.now() - started, err: cause }, 'CloudPayments request failed');
    throw new GatewayError(`CloudPayments ${path}: ${(cause as Error).message}`, true, { cause });
  }
  env.log.info({ path, status: res.status, latencyMs: Date.now() - started }, 'CloudPayments call');
  if (res.status === 401) throw new GatewayError('CloudPayments refused the credentials (HTTP 401)', false, { httpStatus: 401 });
  if (res.status === 429 || res.status >= 500) throw new GatewayError(`CloudPayments ${path}: HTTP ${res.status}`, true, { httpStatus: res.status });
  const envelope = (await res.json().catch(() => null)) as Envelope<M> | null;
  if (!res.ok || !envelope || typeof envelope.Success !== 'boolean') {
    throw new GatewayError(`CloudPayments ${path}: unexpected answer (HTTP ${res.status})`, false, { httpStatus: res.status });
  }
  return envelope;
}
