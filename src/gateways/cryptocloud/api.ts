// CryptoCloud API v2: `Authorization: Token <API key>`, JSON bodies, the {status, result} envelope
// (errors: {status: "error", result: {...}} or {detail: "..."}).
import { GatewayError, type AdapterEnv, type GatewayCredentials } from '../types';

const TIMEOUT_MS = 15_000;
const RETRY_DELAYS_MS = [200, 1000];
/** Safe to repeat: reads, and cancelling (cancelling twice changes nothing). */
const REPEATABLE = new Set(['v2/invoice/merchant/info', 'v2/invoice/merchant/statistics', 'v2/invoice/merchant/canceled']);

export async function ccRequest<R>(env: AdapterEnv, creds: GatewayCredentials, path: string, body: Record<string, unknown>): Promise<R> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await callOnce<R>(env, creds, path, body);
    } catch (err) {
      const delay = RETRY_DELAYS_MS[attempt];
      if (!(err instanceof GatewayError) || !err.retryable || !REPEATABLE.has(path) || delay === undefined) throw err;
      env.log.warn({ path, attempt: attempt + 1 }, 'CryptoCloud call failed; retrying');
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

async function callOnce<R>(env: AdapterEnv, creds: GatewayCredentials, path: string, body: Record<string, unknown>): Promise<R> {
  const started = Date.now();
  let res: Response;
  try {
    res = await fetch(`${env.baseUrl}/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Token ${creds.apiSecret}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (cause) {
    env.log.warn({ path, latencyMs: Date.now() - started, err: cause }, 'CryptoCloud request failed');
    throw new GatewayError(`CryptoCloud ${path}: ${(cause as Error).message}`, true, { cause });
  }
  env.log.info({ path, status: res.status, latencyMs: Date.now() - started }, 'CryptoCloud call');
  const envelope = (await res.json().catch(() => null)) as { status?: string; result?: unknown; detail?: unknown } | null;
  if (res.status === 429 || res.status >= 500) throw new GatewayError(`CryptoCloud ${path}: HTTP ${res.status}`, true, { httpStatus: res.status });
  if (res.status === 401 || res.status === 403) throw new GatewayError(`CryptoCloud refused the API key (HTTP ${res.status})`, false, { httpStatus: res.status });
  if (!res.ok || envelope?.status !== 'success') {
    const detail = envelope?.result ?? envelope?.detail ?? `HTTP ${res.status}`;
    throw new GatewayError(`CryptoCloud ${path}: ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`, false);
  }
  return envelope.result as R;
}
