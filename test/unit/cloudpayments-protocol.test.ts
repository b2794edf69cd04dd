import { signNotification, verifyNotification } from '../../src/gateways/cloudpayments/signature';
import { encodeForm, parseFields, toGatewayEvent } from '../../src/gateways/cloudpayments/wire';

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

  it('accepts either header', () => {
    expect(verifyNotification(SECRET, { rawBody: raw, isForm: true, contentHmac: CONTENT_HMAC })).toBe('VALID');
    expect(verifyNotification(SECRET, { rawBody: raw, isForm: true, xContentHmac: X_CONTENT_HMAC })).toBe('VALID');
    expect(verifyNotification(SECRET, { rawBody: raw, isForm: true, contentHmac: 'garbage', xContentHmac: X_CONTENT_HMAC })).toBe('VALID');
  });

  it('refuses a missing, wrong, truncated or cross-secret signature', () => {
    expect(verifyNotification(SECRET, { rawBody: raw, isForm: true })).toBe('MISSING');
    expect(verifyNotification('other', { rawBody: raw, isForm: true, contentHmac: CONTENT_HMAC })).toBe('INVALID');
    expect(verifyNotification(SECRET, { rawBody: raw, isForm: true, contentHmac: CONTENT_HMAC.slice(0, 20) })).toBe('INVALID');
    expect(verifyNotification(SECRET, { rawBody: Buffer.from(BODY.replace('10.00', '1.00')), isForm: true, contentHmac: CONTENT_HMAC })).toBe('INVALID');
    // X-Content-HMAC is over decoded parameters: presenting it as Content-HMAC does not pass
    expect(verifyNotification(SECRET, { rawBody: raw, isForm: true, contentHmac: X_CONTENT_HMAC })).toBe('INVALID');
  });

  it('encodes forms the .NET way', () => {
    expect(encodeForm({ TransactionId: 1504, Amount: '10.00', Description: 'пополнение счёта', Skip: undefined })).toBe(BODY);
  });
});

describe('CloudPayments notification parsing', () => {
  it('reads forms: strings everywhere, TestMode "1", Data as a JSON string', () => {
    const fields = parseFields(Buffer.from(encodeForm({
      TransactionId: 7, Amount: '500.00', Currency: 'RUB', InvoiceId: 'pay_1', AccountId: 'client_xyz', Status: 'Completed', TestMode: 1,
      CardFirstSix: '411111', CardLastFour: '1111', Data: '{"paygatePaymentId":"pay_1"}', Unexpected: 'kept quiet',
    })), true);
    expect(toGatewayEvent('pay', fields)).toEqual({
      kind: 'confirmed', invoiceId: 'pay_1', accountId: 'client_xyz', amount: '500.00', currency: 'RUB', transactionId: '7',
      card: { firstSix: '411111', lastFour: '1111', type: undefined }, testMode: true,
    });
  });

  it('reads JSON: numbers for ids and amounts, Data as an object', () => {
    const fields = parseFields(Buffer.from(JSON.stringify({ TransactionId: 568, PaymentTransactionId: 567, Amount: 100, InvoiceId: 1234567, Data: { paygateRefundId: 'ref_1' } })), false);
    expect(toGatewayEvent('refund', fields)).toEqual({ kind: 'refunded', invoiceId: '1234567', paymentTransactionId: '567', gatewayRefundId: '568', amount: '100', refundId: 'ref_1' });
  });

  it('maps Pay with Status=Authorized to a hold and Fail to a decline', () => {
    expect(toGatewayEvent('pay', { TransactionId: '1', Amount: '5', Status: 'Authorized' }).kind).toBe('authorized');
    expect(toGatewayEvent('confirm', { TransactionId: '1', Amount: '5' }).kind).toBe('confirmed');
    expect(toGatewayEvent('fail', { TransactionId: '1', Amount: '5', Reason: 'InsufficientFunds', ReasonCode: '5051' })).toMatchObject({ kind: 'failed', reason: 'InsufficientFunds', reasonCode: '5051' });
    expect(toGatewayEvent('recurrent', {}).kind).toBe('ignored');
  });

  it('refuses a notification without the required fields', () => {
    expect(() => toGatewayEvent('pay', { Amount: '5' })).toThrow();
    expect(() => toGatewayEvent('pay', { TransactionId: '1', Amount: 'lots' })).toThrow();
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
