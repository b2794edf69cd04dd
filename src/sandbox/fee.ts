// The acquiring fee the sandbox reports (Pay's TotalFee, and the transaction model's), as a
// CloudPayments terminal would: a share of the amount, rounded half up to the currency's minor units.
import { Decimal, minorUnits } from '../domain/money';

export const SANDBOX_FEE_RATE = '0.025';

export function sandboxFee(amount: string, currency: string): string {
  const digits = minorUnits(currency);
  return new Decimal(amount).times(SANDBOX_FEE_RATE).toDecimalPlaces(digits, Decimal.ROUND_HALF_UP).toFixed(digits);
}
