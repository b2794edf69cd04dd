// One HTTP call to a gateway's API, for every adapter: a time limit, one log line with status and
// latency (never a body or a secret), and bounded retries of transport failures, 429 and 5xx,
// but only where repeating is safe (a read, or a call the gateway deduplicates by request id).
import { GatewayError, type AdapterEnv } from './types';

const TIMEOUT_MS = 15_000;
const RETRY_DELAYS_MS = [200, 1000];

export interface GatewayHttpRequest {
  /** Path below the adapter's base URL. */
  path: string;
  headers: Record<string, string>;
  body: unknown;
  /** Safe to send again: it only reads, or the gateway carries it out once whatever the count. */
  repeatable: boolean;
}

export interface GatewayHttpAnswer {
  status: number;
  /** The parsed JSON body, or null when there was none. */
  json: unknown;
}

/**
 * Resolves with any answer below 500 but 401/403/429; those, 5xx and transport failures reject
 * with a GatewayError (retryable where a later try may succeed).
 */
export async function gatewayHttp(env: AdapterEnv, gateway: string, request: GatewayHttpRequest): Promise<GatewayHttpAnswer> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await callOnce(env, gateway, request);
    } catch (err) {
      const delay = RETRY_DELAYS_MS[attempt];
      if (!(err instanceof GatewayError) || !err.retryable || !request.repeatable || delay === undefined) throw err;
      env.log.warn({ path: request.path, attempt: attempt + 1 }, `${gateway} call failed; retrying`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

async function callOnce(env: AdapterEnv, gateway: string, request: GatewayHttpRequest): Promise<GatewayHttpAnswer> {
  const started = Date.now();
  const { path } = request;
  let res: Response;
  try {
    res = await fetch(`${env.baseUrl}/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...request.headers },
      body: JSON.stringify(request.body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (cause) {
    env.log.warn({ path, latencyMs: Date.now() - started, err: cause }, `${gateway} request failed`);
    throw new GatewayError(`${gateway} ${path}: ${(cause as Error).message}`, true, { cause });
  }
  env.log.info({ path, status: res.status, latencyMs: Date.now() - started }, `${gateway} call`);
  if (res.status === 401 || res.status === 403) {
    throw new GatewayError(`${gateway} refused the credentials (HTTP ${res.status})`, false, { httpStatus: res.status });
  }
  if (res.status === 429 || res.status >= 500) throw new GatewayError(`${gateway} ${path}: HTTP ${res.status}`, true, { httpStatus: res.status });
  return { status: res.status, json: await res.json().catch(() => null) };
}
