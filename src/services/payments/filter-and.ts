// Several payment filters in force at once (the request's, a saved one it names, the key's default):
// a payment is listed only if every one of them lets it through. andFilters folds them into one
// PaymentQuery, the form the list's SQL takes (list-payments.ts whereSql). No I/O.
//
// How two filters combine (docs/api.md, "Back office"):
// - ids, status: the intersection (an empty one matches nothing);
// - clientId, clubId, gatewayId, gatewayType, currency, restrictRefund, hasShortfall, deleted: the
//   one given, or both if equal; two different values match nothing;
// - createdFrom, paidFrom, amountFrom: the later / larger; createdTo, paidTo, amountTo: the earlier /
//   smaller (a range left empty matches nothing);
// - period, number, text: all of them must match (kept as lists);
// - deleted absent in both: deleted payments are hidden, as for one filter.
// Nothing here is an error: what no payment can satisfy is an empty list with zero totals.
import type { Decimal } from '../../domain/money';
import type { PaymentFilter, Period } from './payment-filter';

export type NumberSearch = NonNullable<PaymentFilter['number']>;

/** A filter whose searches may be several (each must match), its saved filter already resolved. */
export type PaymentQuery = Omit<PaymentFilter, 'period' | 'number' | 'text' | 'savedFilterId'> & {
  periods: Period[];
  numbers: NumberSearch[];
  texts: string[];
  /** No payment can pass every filter: the list is empty (SQL: FALSE, nothing scanned). */
  none: boolean;
};

/** One checked filter as a query (its savedFilterId is resolved by effective-filter.ts). */
export function queryOf(f: PaymentFilter): PaymentQuery {
  const { period, number, text, savedFilterId: _saved, ...rest } = f;
  return { ...rest, periods: period ? [period] : [], numbers: number ? [number] : [], texts: text ? [text] : [], none: false };
}

type Same<T> = { value?: T; none: boolean };

/** Both must hold: the one given, or the shared value; two different values: none. */
function same<T extends string | boolean>(a: T | undefined, b: T | undefined): Same<T> {
  if (a === undefined) return { value: b, none: false };
  if (b === undefined || a === b) return { value: a, none: false };
  return { value: a, none: true };
}

/** Both lists must hold: the values in both, in a's order; undefined = no constraint. */
function intersect<T>(a: T[] | undefined, b: T[] | undefined): T[] | undefined {
  if (!a) return b && [...b];
  if (!b) return [...a];
  const inB = new Set(b);
  return a.filter((x) => inB.has(x));
}

const later = (a: Date | undefined, b: Date | undefined) => (!a ? b : !b ? a : a.getTime() >= b.getTime() ? a : b);
const earlier = (a: Date | undefined, b: Date | undefined) => (!a ? b : !b ? a : a.getTime() <= b.getTime() ? a : b);
const larger = (a: Decimal | undefined, b: Decimal | undefined) => (!a ? b : !b ? a : a.greaterThanOrEqualTo(b) ? a : b);
const smaller = (a: Decimal | undefined, b: Decimal | undefined) => (!a ? b : !b ? a : a.lessThanOrEqualTo(b) ? a : b);

const union = <T>(a: T[], b: T[], key: (x: T) => string = String) => {
  const seen = new Set(a.map(key));
  return [...a, ...b.filter((x) => !seen.has(key(x)))];
};

/** Every payment both a and b let through. */
export function andFilter(a: PaymentQuery, b: PaymentQuery): PaymentQuery {
  const scalars = {
    clientId: same(a.clientId, b.clientId),
    clubId: same(a.clubId, b.clubId),
    gatewayId: same(a.gatewayId, b.gatewayId),
    gatewayType: same(a.gatewayType, b.gatewayType),
    currency: same(a.currency, b.currency),
    restrictRefund: same(a.restrictRefund, b.restrictRefund),
    hasShortfall: same(a.hasShortfall, b.hasShortfall),
    deleted: same(a.deleted, b.deleted),
  };
  const q: PaymentQuery = {
    ids: intersect(a.ids, b.ids),
    status: intersect(a.status, b.status),
    clientId: scalars.clientId.value,
    clubId: scalars.clubId.value,
    gatewayId: scalars.gatewayId.value,
    gatewayType: scalars.gatewayType.value,
    currency: scalars.currency.value,
    restrictRefund: scalars.restrictRefund.value,
    hasShortfall: scalars.hasShortfall.value,
    deleted: scalars.deleted.value,
    createdFrom: later(a.createdFrom, b.createdFrom),
    createdTo: earlier(a.createdTo, b.createdTo),
    paidFrom: later(a.paidFrom, b.paidFrom),
    paidTo: earlier(a.paidTo, b.paidTo),
    amountFrom: larger(a.amountFrom, b.amountFrom),
    amountTo: smaller(a.amountTo, b.amountTo),
    periods: union(a.periods, b.periods),
    numbers: union(a.numbers, b.numbers, (n) => JSON.stringify(n)),
    texts: union(a.texts, b.texts),
    none: a.none || b.none,
  };
  for (const key of Object.keys(q) as (keyof PaymentQuery)[]) if (q[key] === undefined) delete q[key];
  q.none ||= Object.values(scalars).some((s) => s.none)
    || q.ids?.length === 0 || q.status?.length === 0
    // createdTo and paidTo are exclusive, amountTo inclusive
    || (!!q.createdFrom && !!q.createdTo && q.createdFrom.getTime() >= q.createdTo.getTime())
    || (!!q.paidFrom && !!q.paidTo && q.paidFrom.getTime() >= q.paidTo.getTime())
    || (!!q.amountFrom && !!q.amountTo && q.amountFrom.greaterThan(q.amountTo));
  return q;
}

export function andFilters(first: PaymentQuery, ...rest: PaymentQuery[]): PaymentQuery {
  return rest.reduce(andFilter, first);
}

/** What no index serves (the cost model's SCAN_COST): a text search or a `number` with `*`. */
export const scans = (q: PaymentQuery): boolean => !q.none && (q.texts.length > 0 || q.numbers.some((n) => 'like' in n));
