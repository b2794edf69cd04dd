import { readCallbackFields } from '../../src/gateways/callback-body';
import { signNotification, verifyNotification } from '../../src/gateways/cloudpayments/signature';
import { classifyNotification, encodeForm, keptFields, toGatewayEvent } from '../../src/gateways/cloudpayments/wire';

// A form body as CloudPayments (.NET) sends it: lower-case percent escapes, "+" for spaces.
const BODY = 'TransactionId=1504&Amount=10.00&Description=%d0%bf%d0%be%d0%bf%d0%be%d0%bb%d0%bd%d0%b5%d0%bd%d0%b8%d0%b5+%d1%81%d1%87%d1%91%d1%82%d0%b0';
const SECRET = 'test_api_secret';
// Computed independently: printf '%s' "$BODY" | openssl dgst -sha256 -hmac test_api_secret -binary | base64
const CONTENT_HMAC = 'auDmXSyT5yDYCgCg0z2b3b52lQY6FoadFxOKrsxMtVs=';
// The same over the URL-decoded parameters ("пополнение счёта")
const X_CONTENT_HMAC = 'pAj5BbSZbhFo47bIqH99VNMfG2LOA8uStTosgDN7p/A=';

describe('CloudPayments notification signatures', () => {
  const raw = Buffer.from(BODY);

  it('signs like CloudPayments (known vectors)', () => {
    expect(signNotification(SECRET, BODY, true)).toEqual({ 'Content-HMAC': CONTENT_HMAC, 'X-Content-HMAC': X_CONTENT_HMAC });
  });

  it('accepts Content-HMAC over the raw body, and only that', () => {
    expect(verifyNotification(SECRET, raw, CONTENT_HMAC)).toBe('VALID');
    expect(verifyNotification(SECRET, raw, ` ${CONTENT_HMAC} `)).toBe('VALID');
  });

  it('refuses a missing, wrong, truncated, padded or cross-secret signature', () => {
    expect(verifyNotification(SECRET, raw, undefined)).toBe('MISSING');
    expect(verifyNotification(SECRET, raw, '')).toBe('MISSING');
    expect(verifyNotification('other', raw, CONTENT_HMAC)).toBe('INVALID');
    expect(verifyNotification(SECRET, raw, CONTENT_HMAC.slice(0, 20))).toBe('INVALID');
    // Node's base64 decoder would skip the junk; the text must match exactly
    expect(verifyNotification(SECRET, raw, `${CONTENT_HMAC}!!`)).toBe('INVALID');
    expect(verifyNotification(SECRET, Buffer.from(BODY.replace('10.00', '1.00')), CONTENT_HMAC)).toBe('INVALID');
    // X-Content-HMAC is over decoded parameters: it never passes, in either header
    expect(verifyNotification(SECRET, raw, X_CONTENT_HMAC)).toBe('INVALID');
  });

  it('encodes forms the .NET way', () => {
    expect(encodeForm({ TransactionId: 1504, Amount: '10.00', Description: 'пополнение счёта', Skip: undefined })).toBe(BODY);
  });
});

const fieldsOf = (body: string, contentType = 'application/x-www-form-urlencoded') => {
  const read = readCallbackFields(Buffer.from(body), contentType);
  if (!read.ok) throw new Error(read.problem);
  return read.fields;
};
const eventOf = (kind: Parameters<typeof toGatewayEvent>[0], fields: Record<string, unknown>) => {
  const r = toGatewayEvent(kind, fields);
  if (!r.ok) throw new Error(r.problem);
  return r.event;
};
const PAY = { TransactionId: '7', Amount: '500.00', Currency: 'RUB', InvoiceId: 'pay_1', AccountId: 'client_xyz', Status: 'Completed', OperationType: 'Payment', GatewayName: 'Tinkoff', TestMode: '1' };

describe('CloudPayments notification parsing', () => {
  it('reads forms: strings everywhere, TestMode "1", Data as a JSON string', () => {
    const fields = fieldsOf(encodeForm({ ...PAY, CardFirstSix: '411111', CardLastFour: '1111', Data: '{"paygatePaymentId":"pay_1"}', Unexpected: 'kept quiet' }));
    expect(eventOf('pay', fields)).toEqual({
      kind: 'confirmed', invoiceId: 'pay_1', accountId: 'client_xyz', amount: '500.00', currency: 'RUB', transactionId: '7',
      card: { firstSix: '411111', lastFour: '1111', type: undefined }, testMode: true,
    });
  });

  it('reads JSON: numbers for ids and amounts, Data as an object', () => {
    const fields = fieldsOf(JSON.stringify({ TransactionId: 568, PaymentTransactionId: 567, Amount: 100, InvoiceId: 1234567, OperationType: 'Refund', Data: { paygateRefundId: 'ref_1' } }), 'application/json');
    expect(eventOf('refund', fields)).toEqual({ kind: 'refunded', invoiceId: '1234567', paymentTransactionId: '567', gatewayRefundId: '568', amount: '100', refundId: 'ref_1' });
  });

  it('reads a Pay\'s card token with its expiry; a malformed one is dropped, the Pay still read', () => {
    const token = '477BBA133C182267FE5F086924ABDC5DB71F77BFC27F01F2843F2CDC69D89F05';
    expect(eventOf('pay', { ...PAY, Token: token, CardExpDate: '12/30' })).toMatchObject({ kind: 'confirmed', token: { token, expiry: '12/30' } });
    expect(eventOf('pay', { ...PAY, Token: token, CardExpDate: '13/30' })).toMatchObject({ token: { token, expiry: undefined } });
    expect(eventOf('pay', { ...PAY, Token: 'bad token with spaces' })).not.toHaveProperty('token');
    expect(eventOf('confirm', { TransactionId: '1', Amount: '5', Status: 'Completed', Token: token })).not.toHaveProperty('token');
    expect(JSON.stringify(keptFields({ ...PAY, Token: token, token, TOKEN: token }))).not.toContain(token);
  });

  it('maps Pay with Status=Authorized to a hold, Confirm to a capture and Fail to a decline', () => {
    expect(eventOf('pay', { ...PAY, Status: 'Authorized' }).kind).toBe('authorized');
    expect(eventOf('confirm', { TransactionId: '1', Amount: '5', Status: 'Completed' }).kind).toBe('confirmed');
    expect(eventOf('fail', { TransactionId: '1', Amount: '5', Reason: 'InsufficientFunds', ReasonCode: '5051' })).toMatchObject({ kind: 'failed', reason: 'InsufficientFunds', reasonCode: '5051' });
    expect(eventOf('recurrent', {
      Id: 'sc_1', AccountId: 'client_xyz', Amount: '300.00', Currency: 'RUB', Status: 'PastDue', Interval: 'Month', Period: '1', StartDate: '2026-12-01 00:00:00',
      SuccessfulTransactionsNumber: '2', FailedTransactionsNumber: '1', LastTransactionDate: '2026-12-02 10:00:00', NextTransactionDate: '2027-01-02 10:00:00',
    })).toEqual({
      kind: 'subscription', subscriptionId: 'sc_1', accountId: 'client_xyz', amount: '300.00', currency: 'RUB', status: 'PAST_DUE', statusText: 'PastDue',
      successfulCharges: 2, failedCharges: 1, lastTransactionAt: new Date('2026-12-02T10:00:00Z'), nextChargeAt: new Date('2027-01-02T10:00:00Z'),
    });
    // A Recurrent without its counts, or with a date that is none, is unreadable.
    expect(toGatewayEvent('recurrent', { Id: 'sc_1', AccountId: 'c', Amount: '1', Currency: 'RUB', Status: 'Active' }).ok).toBe(false);
    expect(toGatewayEvent('recurrent', { Id: 'sc_1', AccountId: 'c', Amount: '1', Currency: 'RUB', Status: 'Active', SuccessfulTransactionsNumber: '0', FailedTransactionsNumber: '0', NextTransactionDate: 'soon' }).ok).toBe(false);
    expect(eventOf('pay', { ...PAY, SubscriptionId: 'sc_1' })).toMatchObject({ kind: 'confirmed', subscriptionId: 'sc_1' });
  });

  it('refuses a notification without the required fields or with malformed ones', () => {
    expect(toGatewayEvent('pay', { ...PAY, TransactionId: undefined }).ok).toBe(false);
    expect(toGatewayEvent('pay', { ...PAY, Amount: 'lots' }).ok).toBe(false);
    expect(toGatewayEvent('pay', { ...PAY, Status: undefined }).ok).toBe(false);
    expect(toGatewayEvent('pay', { ...PAY, TransactionId: '7'.repeat(300) }).ok).toBe(false);
    expect(toGatewayEvent('pay', { ...PAY, Currency: 'R'.repeat(600) }).ok).toBe(false);
    expect(toGatewayEvent('pay', { ...PAY, InvoiceId: 'x'.repeat(129) }).ok).toBe(false);
    expect(toGatewayEvent('fail', { TransactionId: '1', Amount: '5', Reason: 'x', ReasonCode: '5'.repeat(45) }).ok).toBe(false);
    expect(toGatewayEvent('pay', { ...PAY, Data: '{"paygateRefundId":"a","paygateRefundId":"b"}' }).ok).toBe(false);
  });

  it('cuts free text short instead of failing on it', () => {
    expect(eventOf('fail', { TransactionId: '1', Amount: '5', Reason: 'r'.repeat(620), ReasonCode: '5051' })).toMatchObject({ reason: 'r'.repeat(200) });
  });
});

describe('which notification a body is', () => {
  const check = { TransactionId: '7', Amount: '5', Currency: 'RUB', Status: 'Completed', OperationType: 'Payment', InvoiceId: 'pay_1' };
  it.each([
    ['Check', check, 'check'],
    ['Pay', { ...check, GatewayName: 'Test' }, 'pay'],
    ['Pay with an Approved reason', { ...check, GatewayName: 'Test', Reason: 'Approved', ReasonCode: '0' }, 'pay'],
    ['Fail', { TransactionId: '7', Amount: '5', OperationType: 'Payment', Reason: 'InsufficientFunds', ReasonCode: '5051' }, 'fail'],
    ['Fail with a Status (seen in samples)', { TransactionId: '7', Amount: '5', OperationType: 'Payment', Status: 'Declined', ReasonCode: '5051' }, 'fail'],
    ['Confirm', { TransactionId: '7', Amount: '5', Currency: 'RUB', Status: 'Completed' }, 'confirm'],
    ['Refund', { TransactionId: '8', PaymentTransactionId: '7', Amount: '5', OperationType: 'Refund' }, 'refund'],
    ['Cancel', { TransactionId: '7', Amount: '5', InvoiceId: 'pay_1' }, 'cancel'],
    ['Recurrent', { Id: 'sc_1', AccountId: 'a', Amount: '5', Currency: 'RUB', Interval: 'Month', Period: '1', Status: 'Active' }, 'recurrent'],
    ['Receipt', { DocumentNumber: '1', FiscalSign: '2', Ofd: 'x', Amount: '5', TransactionId: '7' }, 'receipt'],
    ['a Pay that declines', { ...check, GatewayName: 'Test', ReasonCode: '5051' }, null],
    ['nothing known', { Amount: '5' }, null],
  ])('%s', (_what, fields, kind) => {
    expect(classifyNotification(fields)).toBe(kind);
  });
});

describe('reading callback bodies', () => {
  it('refuses a key that appears twice, in forms (any case) and in JSON (any depth)', () => {
    expect(readCallbackFields(Buffer.from('InvoiceId=a&Amount=1&InvoiceId=b'), '')).toMatchObject({ ok: false });
    expect(readCallbackFields(Buffer.from('InvoiceId=a&invoiceid=b'), 'application/x-www-form-urlencoded')).toMatchObject({ ok: false });
    expect(readCallbackFields(Buffer.from('{"InvoiceId":"a","Amount":1,"InvoiceId":"b"}'), 'application/json')).toMatchObject({ ok: false });
    expect(readCallbackFields(Buffer.from('{"Data":{"k":1,"k":2}}'), 'application/json')).toMatchObject({ ok: false });
    expect(readCallbackFields(Buffer.from('{"a":[{"k":1},{"k":2}],"b":"\\"k\\":","k":"{"}'), 'application/json')).toMatchObject({ ok: true });
  });

  it('refuses what is not a JSON object', () => {
    for (const body of ['not json', '[1]', '"x"', 'null']) expect(readCallbackFields(Buffer.from(body), 'application/json')).toMatchObject({ ok: false });
  });
});

describe('what is stored of a notification', () => {
  it('keeps the listed fields in their shape and nothing else', () => {
    const kept = keptFields({
      ...PAY, Token: 'tk_1', token: 'tk_2', 'T%6Fken': 'tk_3', CardNumber: 4111111111111111, Name: 'ANNA', Email: 'a@b.c', IpAddress: '1.2.3.4',
      CardExpDate: '12/30', Description: 'x', CardFirstSix: '4111111111111111', CardLastFour: '1111', Reason: 'r'.repeat(300),
      Data: '{"paygateRefundId":"ref_1","secret":"s"}',
    });
    expect(kept).toEqual({ ...PAY, CardLastFour: '1111', Reason: 'r'.repeat(200), Data: { paygateRefundId: 'ref_1' } });
  });
});

describe('amounts for the CloudPayments API', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { exactJsonNumber: amountForApi } = require('../../src/domain/money');
  it('sends exact JSON numbers', () => {
    expect(JSON.stringify({ a: amountForApi('500.00') })).toBe('{"a":500}');
    expect(JSON.stringify({ a: amountForApi('10.10') })).toBe('{"a":10.1}');
    expect(JSON.stringify({ a: amountForApi('0.01') })).toBe('{"a":0.01}');
    expect(JSON.stringify({ a: amountForApi('999999999999.99') })).toBe('{"a":999999999999.99}');
    expect(JSON.stringify({ a: amountForApi('100') })).toBe('{"a":100}');
    expect(JSON.stringify({ a: amountForApi('100.50') })).toBe('{"a":100.5}');
  });
  it('refuses what would not survive', () => {
    expect(() => amountForApi('1.005')).toThrow();
    expect(() => amountForApi('abc')).toThrow();
  });
});

describe('CryptoCloud answers', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { invoiceInfo } = require('../../src/gateways/cryptocloud/wire');
  it('reads amounts in any notation JSON gives them, and refuses what is not an amount', () => {
    expect(invoiceInfo.parse({ uuid: 'INV-ABCD1234', status: 'partial', received: 5e-7, received_usd: '0.0000004' })).toMatchObject({ received: '0.0000005', received_usd: '0.0000004' });
    expect(invoiceInfo.safeParse({ uuid: 'INV-ABCD1234', status: 'paid', received: 'lots' }).success).toBe(false);
    expect(invoiceInfo.safeParse({ uuid: 'x'.repeat(300), status: 'paid' }).success).toBe(false);
  });
});
