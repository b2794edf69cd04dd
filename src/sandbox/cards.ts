// CloudPayments' test cards (docs/gateways.md 1.6) and the seed's, as the sandbox plays them.

export type CardOutcome =
  | { result: 'approved' }
  | { result: 'declined'; reason: string; reasonCode: number };

export interface TestCard {
  threeDs: boolean;
  /** The outcome once the card (and its 3-D Secure step, if any) goes through. */
  outcome: CardOutcome;
  /** The outcome of every later charge of its saved token (docs/gateways.md 1.6, "token payment"). */
  tokenOutcome: CardOutcome;
}

const APPROVED: CardOutcome = { result: 'approved' };
const INSUFFICIENT: CardOutcome = { result: 'declined', reason: 'InsufficientFunds', reasonCode: 5051 };
const card = (threeDs: boolean, outcome: CardOutcome, tokenOutcome: CardOutcome = outcome): TestCard => ({ threeDs, outcome, tokenOutcome });

export const TEST_CARDS: Readonly<Record<string, TestCard>> = {
  '4242424242424242': card(true, APPROVED),
  '5555555555554444': card(true, APPROVED),
  '2200000000000004': card(true, APPROVED),
  '5500000000000004': card(true, APPROVED), // the seed's "3DS confirmation" card
  '4012888888881881': card(true, INSUFFICIENT),
  '5105105105105100': card(true, INSUFFICIENT),
  '2202202202202200': card(true, INSUFFICIENT),
  '4111111111111111': card(false, APPROVED, INSUFFICIENT),
  '4000000000003055': card(false, APPROVED),
  '5205000000003055': card(false, APPROVED),
  '2202000000003055': card(false, APPROVED),
  '5200828282828210': card(false, APPROVED, INSUFFICIENT),
  '2200000022222222': card(false, APPROVED, INSUFFICIENT),
  '4000056655665556': card(false, INSUFFICIENT),
  '5404000000000043': card(false, INSUFFICIENT),
  '2203000000000043': card(false, INSUFFICIENT),
  '4444444444444441': card(false, { result: 'declined', reason: 'DoNotHonor', reasonCode: 5005 }), // the seed's bank decline
  // Paygate's documented trigger (docs/api.md, "Saved cards"): pays and saves, every later token charge declines.
  '4000000000000002': card(false, APPROVED, INSUFFICIENT),
};

/** The cardholder cancelled at the 3-D Secure step. */
export const AUTHENTICATION_FAILED: CardOutcome = { result: 'declined', reason: 'AuthenticationFailed', reasonCode: 5206 };
/** A well-formed number that is not a test card: test mode declines it. */
export const INVALID_CARD: CardOutcome = { result: 'declined', reason: 'InvalidCardNumber', reasonCode: 5014 };

export function luhnValid(digits: string): boolean {
  if (!/^\d{12,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export function cardType(digits: string): string {
  if (/^220[0-4]/.test(digits)) return 'MIR';
  if (digits.startsWith('4')) return 'Visa';
  if (/^(5[1-5]|2[2-7])/.test(digits)) return 'Mastercard';
  return 'Unknown';
}

/** MM/YY, not in the past. */
export function validExpiry(text: string, now = new Date()): boolean {
  const m = /^\s*(\d{2})\s*\/\s*(\d{2})\s*$/.exec(text);
  if (!m) return false;
  const month = Number(m[1]);
  const year = 2000 + Number(m[2]);
  if (month < 1 || month > 12) return false;
  return year * 12 + month >= now.getUTCFullYear() * 12 + now.getUTCMonth() + 1;
}
