// Sends CloudPayments-protocol notifications to a running Paygate, signed like the real service.
import { signNotification } from '../../src/gateways/cloudpayments/signature';
import { encodeForm } from '../../src/gateways/cloudpayments/wire';

export type Fields = Record<string, string | number | undefined>;

let seq = 3_000_000_000;
export const nextTransactionId = () => String(++seq + Math.floor(Math.random() * 1000) * 1_000_000);

export async function sendNotification(
  baseUrl: string,
  gatewayId: string,
  kind: string,
  fields: Fields,
  options: { secret?: string; json?: boolean; headers?: 'both' | 'content' | 'x' | 'none'; tamper?: (body: string) => string } = {},
): Promise<{ status: number; body: any }> {
  const body = options.json ? JSON.stringify(fields) : encodeForm(fields);
  const signed = options.secret ? signNotification(options.secret, body, !options.json) : {};
  const which = options.headers ?? 'both';
  const headers: Record<string, string> = { 'content-type': options.json ? 'application/json' : 'application/x-www-form-urlencoded' };
  if (which === 'both' || which === 'content') headers['Content-HMAC'] = signed['Content-HMAC'];
  if (which === 'both' || which === 'x') headers['X-Content-HMAC'] = signed['X-Content-HMAC'];
  if (which === 'none' || !options.secret) {
    delete headers['Content-HMAC'];
    delete headers['X-Content-HMAC'];
  }
  const res = await fetch(`${baseUrl}/payments/cloudpayments/${gatewayId}/${kind}`, {
    method: 'POST',
    headers,
    body: options.tamper ? options.tamper(body) : body,
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

export function payFields(invoiceId: string, clientId: string, amount = '500.00', extra: Fields = {}): Fields {
  return {
    TransactionId: nextTransactionId(), Amount: amount, Currency: 'RUB', PaymentAmount: amount, PaymentCurrency: 'RUB',
    DateTime: '2026-11-23 12:00:00', CardFirstSix: '411111', CardLastFour: '1111', CardType: 'Visa', CardExpDate: '12/30',
    TestMode: 1, Status: 'Completed', OperationType: 'Payment', InvoiceId: invoiceId, AccountId: clientId, ...extra,
  };
}
