// CryptoCloud API v2: `Authorization: Token <API key>`, JSON bodies, the {status, result} envelope
// (errors: {status: "error", result: {...}} or {detail: "..."}).
import { gatewayHttp } from '../http';
import { GatewayError, type AdapterEnv, type GatewayCredentials } from '../types';

/** Safe to repeat: reads, and cancelling (cancelling twice changes nothing). */
const REPEATABLE = new Set(['v2/invoice/merchant/info', 'v2/invoice/merchant/statistics', 'v2/invoice/merchant/canceled']);

export async function ccRequest<R>(env: AdapterEnv, creds: GatewayCredentials, path: string, body: Record<string, unknown>): Promise<R> {
  const { status, json } = await gatewayHttp(env, 'CryptoCloud', {
    path,
    body,
    headers: { authorization: `Token ${creds.apiSecret}` },
    repeatable: REPEATABLE.has(path),
  });
  const envelope = json as { status?: string; result?: unknown; detail?: unknown } | null;
  if (status >= 300 || envelope?.status !== 'success') {
    const detail = envelope?.result ?? envelope?.detail ?? `HTTP ${status}`;
    throw new GatewayError(`CryptoCloud ${path}: ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`, false, { httpStatus: status });
  }
  return envelope.result as R;
}
