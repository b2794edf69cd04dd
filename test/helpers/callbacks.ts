// Sends CloudPayments-protocol notifications to a running Paygate, signed like the real service.
import { signNotification } from '../../src/gateways/cloudpayments/signature';
import { encodeForm } from '../../src/gateways/cloudpayments/wire';

export type Fields = Record<string, string | number | undefined>;

let seq = 3_000_000_000;
export const nextTransactionId = () => String(++seq + Math.floor(Math.random() * 1000) * 1_000_000);

const pick = (fields: Fields, names: string[]) => Object.fromEntries(names.filter((n) => fields[n] !== undefined).map((n) => [n, fields[n]]));
const without = (fields: Fields, names: string[]) => Object.fromEntries(Object.entries(fields).filter(([k]) => !names.includes(k)));

/**
 * The fields CloudPayments sends for each kind (docs/gateways.md), made from a Pay-like set: a
 * Check has no GatewayName, a Fail a Reason and no Status, a Confirm no OperationType, a Cancel
 * neither, a Refund its PaymentTransactionId. Paygate tells the kind from exactly these.
 */
export function shapeFor(kind: string, fields: Fields): Fields {
  switch (kind) {
    case 'check':
      return without(fields, ['GatewayName', 'AuthCode', 'TotalFee', 'Reason', 'ReasonCode']);
    case 'pay':
      return { GatewayName: 'Test', ...without(fields, ['Reason', 'ReasonCode']) };
    case 'fail':
      return { Reason: 'InsufficientFunds', ReasonCode: 5051, ...without(fields, ['Status', 'GatewayName', 'AuthCode', 'TotalFee']), OperationType: 'Payment' };
    case 'confirm':
      return { ...without(fields, ['OperationType', 'GatewayName', 'Reason', 'ReasonCode']), Status: fields.Status === 'Authorized' ? 'Completed' : fields.Status ?? 'Completed' };
    case 'cancel':
      return pick(fields, ['TransactionId', 'Amount', 'DateTime', 'InvoiceId', 'AccountId', 'Email', 'Data']);
    case 'refund':
      return { ...pick(fields, ['TransactionId', 'PaymentTransactionId', 'Amount', 'DateTime', 'InvoiceId', 'AccountId', 'Email', 'Data']), OperationType: 'Refund' };
    case 'recurrent':
      return { Interval: 'Month', Period: 1, StartDate: '2026-12-01 00:00:00', Status: 'Active', Currency: 'RUB', Description: 'Membership', ...without(fields, ['TransactionId']) };
    case 'receipt':
      return { DocumentNumber: '1', FiscalSign: '123456', Ofd: 'Test', Type: 'Income', ...fields };
    default:
      return fields;
  }
}

export async function sendNotification(
  baseUrl: string,
  gatewayId: string,
  kind: string,
  fields: Fields,
  options: {
    secret?: string; json?: boolean; headers?: 'both' | 'content' | 'x' | 'none'; tamper?: (body: string) => string;
    /** Send the fields as they are, not shaped for the kind (to post one kind's body to another's URL). */
    raw?: boolean; rawHeaders?: Record<string, string>;
    /** Post to the one URL for every kind and gateway (/payments/cloudpayments/callback). */
    shared?: boolean;
  } = {},
): Promise<{ status: number; body: any }> {
  const shaped = options.raw ? fields : shapeFor(kind, fields);
  const body = options.json ? JSON.stringify(shaped) : encodeForm(shaped);
  const signed = options.secret ? signNotification(options.secret, body, !options.json) : {};
  const which = options.headers ?? 'both';
  const headers: Record<string, string> = { 'content-type': options.json ? 'application/json' : 'application/x-www-form-urlencoded' };
  if (which === 'both' || which === 'content') headers['Content-HMAC'] = signed['Content-HMAC'];
  if (which === 'both' || which === 'x') headers['X-Content-HMAC'] = signed['X-Content-HMAC'];
  if (which === 'none' || !options.secret) {
    delete headers['Content-HMAC'];
    delete headers['X-Content-HMAC'];
  }
  const url = options.shared ? `${baseUrl}/payments/cloudpayments/callback` : `${baseUrl}/payments/cloudpayments/${gatewayId}/${kind}`;
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...headers, ...options.rawHeaders },
    body: options.tamper ? options.tamper(body) : body,
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

/** A Pay notification's fields; sendNotification reshapes them for other kinds. */
export function payFields(invoiceId: string, clientId: string, amount = '500.00', extra: Fields = {}): Fields {
  return {
    TransactionId: nextTransactionId(), Amount: amount, Currency: 'RUB', PaymentAmount: amount, PaymentCurrency: 'RUB',
    DateTime: '2026-11-23 12:00:00', CardFirstSix: '411111', CardLastFour: '1111', CardType: 'Visa', CardExpDate: '12/30',
    TestMode: 1, Status: 'Completed', OperationType: 'Payment', GatewayName: 'Test', InvoiceId: invoiceId, AccountId: clientId, ...extra,
  };
}
