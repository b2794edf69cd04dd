// A payment filter as Paygate keeps it (saved filters, a key's default): checked exactly as a list's
// filter, then written in its normalized input form (trimmed, upper-cased, each id and status once,
// instants as ISO text, amounts as decimal text, absent fields left out). That form is a valid
// PaymentFilter input, so the dashboard can show it and send it back, and reading it back checks it
// again (a stored filter is never trusted more than a request's). No I/O.
import { checkPaymentFilter, type PaymentFilter, type PaymentFilterInput } from './payment-filter';

export type StoredFilter = Record<string, string | string[] | boolean>;

const INSTANTS = ['createdFrom', 'createdTo', 'paidFrom', 'paidTo'] as const;

/** The checked filter and the form it is stored in. */
export function storedFilterOf(input: PaymentFilterInput): { checked: PaymentFilter; stored: StoredFilter } {
  const checked = checkPaymentFilter(input);
  const stored: StoredFilter = {};
  const put = (key: keyof PaymentFilterInput, value: string | string[] | boolean | undefined) => {
    if (value !== undefined) stored[key] = value;
  };
  put('ids', checked.ids);
  put('clientId', checked.clientId);
  put('clubId', checked.clubId);
  put('gatewayId', checked.gatewayId);
  put('gatewayType', checked.gatewayType);
  put('status', checked.status);
  for (const key of INSTANTS) put(key, checked[key]?.toISOString());
  put('period', checked.period);
  put('amountFrom', checked.amountFrom?.toFixed());
  put('amountTo', checked.amountTo?.toFixed());
  put('currency', checked.currency);
  // checkPaymentFilter accepted them: what is kept is the text as typed, trimmed (not its LIKE pattern)
  put('number', checked.number ? input.number!.trim() : undefined);
  put('text', checked.text ? input.text!.trim() : undefined);
  put('restrictRefund', checked.restrictRefund);
  put('hasShortfall', checked.hasShortfall);
  put('deleted', checked.deleted);
  put('savedFilterId', checked.savedFilterId);
  return { checked, stored };
}

/** A stored filter, checked again. */
export function filterFromStored(stored: unknown): PaymentFilter {
  if (!stored || typeof stored !== 'object' || Array.isArray(stored)) throw new Error('a stored payment filter is not an object');
  const input: Record<string, unknown> = { ...(stored as StoredFilter) };
  for (const key of INSTANTS) if (typeof input[key] === 'string') input[key] = new Date(input[key] as string);
  return checkPaymentFilter(input as PaymentFilterInput);
}
