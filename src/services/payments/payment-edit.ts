// What staff may correct on a payment (editPayment, edit-payment.ts), checked, and what an edit
// changes, field by field. Amount, currency, status, client and gateway are not here: status moves only through the
// state machine, money only through ledger entries.
import { badInput } from '../../domain/errors';
import { optionalText } from '../common/validate';

export interface EditInput {
  description?: string | null;
  note?: string | null;
  restrictRefund?: boolean | null;
  externalNumber?: string | null;
  documentNumber?: string | null;
  documentDate?: Date | null;
  tags?: string[] | null;
}

/** The editable fields as stored. */
export interface Editable {
  description: string | null;
  note: string | null;
  restrictRefund: boolean;
  externalNumber: string | null;
  documentNumber: string | null;
  documentDate: Date | null;
  tags: string[];
}

export interface FieldChange { field: keyof Editable; before: string | null; after: string | null }

export const MAX_TAGS = 20;
const LIMITS = { description: 500, note: 2000, externalNumber: 64, documentNumber: 64 } as const;

/** An empty text clears the field; line breaks and tabs are text, other control characters are refused. */
const textField = (value: string | null | undefined, field: keyof typeof LIMITS) => optionalText(value, field, LIMITS[field]);

/** The fields the input sets (undefined: left as they are), each checked. */
export function checkEdit(input: EditInput): Partial<Editable> {
  const out: Partial<Editable> = {};
  const set = <K extends keyof Editable>(k: K, v: Editable[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('description', textField(input.description, 'description'));
  set('note', textField(input.note, 'note'));
  set('externalNumber', textField(input.externalNumber, 'externalNumber'));
  set('documentNumber', textField(input.documentNumber, 'documentNumber'));
  if (input.restrictRefund !== undefined) {
    if (input.restrictRefund === null) throw badInput('restrictRefund is true or false', 'restrictRefund');
    out.restrictRefund = input.restrictRefund;
  }
  if (input.documentDate !== undefined) out.documentDate = input.documentDate;
  if (input.tags !== undefined) {
    const tags = [...new Set((input.tags ?? []).map((tag) => tag.trim()))];
    if (tags.length > MAX_TAGS) throw badInput(`a payment has at most ${MAX_TAGS} tags`, 'tags');
    out.tags = tags.map((tag) => {
      if (!tag) throw badInput('each tag is 1-64 characters, no control characters', 'tags');
      return optionalText(tag, 'tags', 64)!;
    });
  }
  if (!Object.keys(out).length) throw badInput('input sets no field to edit', 'input');
  return out;
}

const shown = (v: Editable[keyof Editable]): string | null => {
  if (v === null) return null;
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.length ? v.join(', ') : null;
  return String(v);
};

/** What the edit changes, in a fixed field order; nothing when every value is already so. */
export function changesOf(current: Editable, patch: Partial<Editable>): FieldChange[] {
  const fields: (keyof Editable)[] = ['description', 'note', 'restrictRefund', 'externalNumber', 'documentNumber', 'documentDate', 'tags'];
  return fields
    .filter((f) => f in patch)
    .map((f) => ({ field: f, before: shown(current[f]), after: shown(patch[f] as Editable[typeof f]) }))
    .filter((c) => c.before !== c.after || (c.field === 'tags' && JSON.stringify(current.tags) !== JSON.stringify(patch.tags)));
}
