// CSV for the back office's exports (RFC 4180: comma, CRLF, quotes doubled), safe to open in a
// spreadsheet, and streamed a keyset chunk at a time. No I/O of its own.

/** Numbers as this API writes them: a spreadsheet reads them as numbers, never as formulas. */
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;
/** What a spreadsheet takes for the start of a formula (OWASP "CSV injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * What makes a cell quoted: RFC 4180's `"`, comma, CR and LF, and the separators a spreadsheet may
 * split on instead of the comma (`;` in locales whose decimal mark is a comma, tab, `|`), so that
 * `a;=1+1` stays one cell there too and no part of it starts a cell of its own.
 */
const NEEDS_QUOTES = /[",;\t|\r\n]/;

/** One cell: a leading formula character is neutralised with a single quote, then quoted if needed. */
export function csvCell(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '';
  const safe = FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const csvLine = (cells: readonly (string | null | undefined)[]) => `${cells.map(csvCell).join(',')}\r\n`;

const QUARTER_HOUR_MS = 15 * 60_000;
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * An instant as the organization's wall clock with its offset, e.g. 2026-12-03T17:48:45.123+03:00.
 * Offsets change only on quarter hours (every zone's transitions fall on them today), so each
 * quarter hour's offset is looked up once.
 */
export function zonedTime(timeZone: string): (at: Date) => string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
  const offsets = new Map<number, number>();
  const offsetAt = (ms: number): number => {
    const quarter = Math.floor(ms / QUARTER_HOUR_MS);
    let offset = offsets.get(quarter);
    if (offset === undefined) {
      const start = quarter * QUARTER_HOUR_MS;
      const p = Object.fromEntries(parts.formatToParts(new Date(start)).map((x) => [x.type, x.value]));
      offset = (Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) - start) / 60_000;
      if (offsets.size > 10_000) offsets.clear();
      offsets.set(quarter, offset);
    }
    return offset;
  };
  return (at) => {
    const offset = offsetAt(at.getTime());
    const w = new Date(at.getTime() + offset * 60_000);
    const sign = offset < 0 ? '-' : '+';
    const abs = Math.abs(offset);
    return `${pad(w.getUTCFullYear(), 4)}-${pad(w.getUTCMonth() + 1)}-${pad(w.getUTCDate())}T${pad(w.getUTCHours())}:${pad(w.getUTCMinutes())}:${pad(w.getUTCSeconds())}`
      + `.${pad(w.getUTCMilliseconds(), 3)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  };
}

/**
 * The header, then each chunk's lines, reading the next chunk only when the consumer asks for more
 * (a Readable made from this pulls it as the socket drains), so memory stays one chunk whatever
 * the row count. `first` is read before anything is sent: a failing query is still an HTTP error.
 */
export async function* csvChunks<R>(header: readonly string[], first: R[], size: number, next: (last: R) => Promise<R[]>, line: (row: R) => string): AsyncGenerator<string> {
  yield csvLine(header);
  let rows = first;
  for (;;) {
    if (rows.length) yield rows.map(line).join('');
    if (rows.length < size) return;
    rows = await next(rows[rows.length - 1]);
  }
}
