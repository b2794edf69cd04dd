// Reading a gateway callback body into fields, for every gateway. A key that appears twice (in a
// form, or anywhere in a JSON object) is refused: no gateway sends one, and "the later one wins"
// is how one signed body is made to say two things.
//
// And what is kept of a body: an allow-list of the fields Paygate acts on or shows, each checked
// for its shape, so card tokens, names, e-mails and addresses never reach the database.

export type FieldsResult = { ok: true; fields: Record<string, unknown> } | { ok: false; problem: string };

/**
 * The bytes decide how a body is read, never the Content-Type header, which no signature covers:
 * a signed JSON body posted again as a form would split at every `&` a payer-chosen value holds.
 * A body that opens with `{` is JSON; one the header calls JSON must be JSON; anything else is a form.
 */
export function readCallbackFields(raw: Buffer, contentType: string): FieldsResult {
  const text = raw.toString('utf8');
  const looksJson = /^\s*[{[]/.test(text);
  if (looksJson || contentType.includes('json')) return parseJsonObject(text);
  return parseForm(text);
}

function parseForm(text: string): FieldsResult {
  const fields: Record<string, unknown> = {};
  const seen = new Set<string>();
  for (const [key, value] of new URLSearchParams(text)) {
    const folded = key.toLowerCase();
    if (seen.has(folded)) return { ok: false, problem: `field ${printable(key)} appears more than once` };
    seen.add(folded);
    fields[key] = value;
  }
  return { ok: true, fields };
}

/** A JSON object whose keys are unique at every level (case-insensitively at the top). */
export function parseJsonObject(text: string): FieldsResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'the body is not valid JSON' };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { ok: false, problem: 'the body is not a JSON object' };
  const duplicate = firstDuplicateKey(text);
  if (duplicate !== null) return { ok: false, problem: `field ${printable(duplicate)} appears more than once` };
  return { ok: true, fields: parsed as Record<string, unknown> };
}

/**
 * Walks valid JSON text once, tracking the keys of every open object. JSON.parse keeps the last of
 * two equal keys silently; this finds them. Top-level keys are compared case-insensitively, as
 * gateways' field names are.
 */
function firstDuplicateKey(text: string): string | null {
  const open: Array<Set<string> | null> = []; // one entry per open object (a Set) or array (null)
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const keys = open.at(-1);
      if (expectKey && keys) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        const folded = open.length === 1 ? key.toLowerCase() : key;
        if (keys.has(folded)) return key;
        keys.add(folded);
      }
      expectKey = false;
      i = j;
    } else if (c === '{') {
      open.push(new Set());
      expectKey = true;
    } else if (c === '[') {
      open.push(null);
    } else if (c === '}' || c === ']') {
      open.pop();
    } else if (c === ',') {
      expectKey = open.at(-1) instanceof Set;
    }
  }
  return null;
}

const printable = (key: string) => JSON.stringify(key.slice(0, 40));

// ---- what is stored --------------------------------------------------------------------------

export type KeptValue = string | boolean | { [key: string]: string };
export type KeptFields = Record<string, KeptValue>;
/** Returns the value as it may be stored, or undefined to leave it out. */
export type Keeper = (value: unknown) => KeptValue | undefined;

const scalar = (v: unknown): string | undefined =>
  typeof v === 'string' ? v.trim() : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;
const matching = (pattern: RegExp): Keeper => (v) => {
  const s = scalar(v);
  return s !== undefined && pattern.test(s) ? s : undefined;
};

export const keep = {
  /** Identifiers: transaction and invoice ids, account ids. */
  id: matching(/^[\w.:@-]{1,128}$/),
  amount: matching(/^\d{1,15}(\.\d{1,8})?$/),
  /** Status words, currency and reason codes, operation types. */
  code: matching(/^[\w.-]{1,40}$/),
  digits: (n: number) => matching(new RegExp(`^\\d{${n}}$`)),
  /** Free text Paygate shows (a decline reason), cut short. */
  text: (max: number): Keeper => (v) => scalar(v)?.slice(0, max) || undefined,
  dateTime: matching(/^[\d\-T:. +Z]{8,40}$/),
} satisfies Record<string, Keeper | ((arg: number) => Keeper)>;

/** Only the listed fields, each only if it has its expected shape. */
export function keepFields(fields: Record<string, unknown>, allowed: Readonly<Record<string, Keeper>>): KeptFields {
  const kept: KeptFields = {};
  for (const [name, keeper] of Object.entries(allowed)) {
    if (!Object.prototype.hasOwnProperty.call(fields, name)) continue;
    const value = keeper(fields[name]);
    if (value !== undefined) kept[name] = value;
  }
  return kept;
}
