// Ledger arithmetic: what a set of signed movements does to a balance, and the sign of each kind.
import { Decimal } from './money';

/** A spend debits the balance: its entry is the amount, negated. */
export const spendEntryAmount = (amount: Decimal) => amount.negated();

/** What the movements add up to (signed). */
export const netOf = (amounts: readonly Decimal[]) => amounts.reduce((total, a) => total.plus(a), new Decimal(0));

/** The balance after each movement, given the balance once all of them were applied. */
export function balancesAfterEach(finalBalance: Decimal, amounts: readonly Decimal[]): Decimal[] {
  let running = finalBalance.minus(netOf(amounts));
  return amounts.map((a) => (running = running.plus(a)));
}
