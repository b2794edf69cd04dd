// Drives the sandbox checkout over HTTP the way a browser form would.
export const CARDS = {
  success: '4111 1111 1111 1111',
  threeDs: '4242 4242 4242 4242',
  threeDsConfirm: '5500 0000 0000 0004',
  insufficientFunds: '4000 0566 5566 5556',
  insufficientAfter3ds: '4012 8888 8888 1881',
  bankDecline: '4444 4444 4444 4441',
  unknownButValid: '4000 0000 0000 0010',
  /** Saved, its token charges are approved (docs/gateways.md 1.6). */
  tokenApproved: '4000 0000 0000 3055',
  /** Paygate's trigger: pays and saves, every later token charge declines (5051). */
  tokenDeclines: '4000 0000 0000 0002',
} as const;

export interface CheckoutAnswer {
  status: number;
  location: string | null;
  html: string;
}

async function post(url: string, fields: Record<string, string>): Promise<CheckoutAnswer> {
  const res = await fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.status, location: res.headers.get('location'), html: await res.text() };
}

export function submitCard(paymentUrl: string, cardNumber: string, extra: Partial<Record<'expiry' | 'cvc' | 'cardholder', string>> = {}) {
  return post(paymentUrl, { cardNumber, expiry: '12/30', cvc: '123', cardholder: 'TEST HOLDER', ...extra });
}

/** Answers the 3-D Secure page that submitCard returned. */
export function answer3ds(paymentUrl: string, page: CheckoutAnswer, action: 'confirm' | 'cancel') {
  const state = /name="state" value="([^"]+)"/.exec(page.html)?.[1];
  if (!state) throw new Error('not a 3-D Secure page');
  return post(`${paymentUrl}/3ds`, { state, action });
}

export async function payWithCard(paymentUrl: string, cardNumber: string, threeDs: 'confirm' | 'cancel' = 'confirm'): Promise<CheckoutAnswer> {
  const first = await submitCard(paymentUrl, cardNumber);
  return first.html.includes('3-D Secure') && first.status === 200 ? answer3ds(paymentUrl, first, threeDs) : first;
}
