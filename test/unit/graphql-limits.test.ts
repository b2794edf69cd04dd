// The limits on one GraphQL document, against the real schema: depth, aliases and cost, each
// computed in time linear in the document (fragments are remembered, not walked again).
import 'reflect-metadata';
import { parse, validate, type GraphQLSchema } from 'graphql';
import { COST_CACHE_ENTRIES, costCacheSize, costOf, limitRules, LIMITS } from '../../src/http/graphql-limits';
import { buildGraphqlSchema } from '../../src/resolvers/schema';

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildGraphqlSchema();
});

const errors = (query: string) => validate(schema, parse(query), limitRules()).map((e) => e.message);
const cost = (query: string, variables?: Record<string, unknown>) => costOf(schema, parse(query), variables, undefined);
const aliases = (n: number, field: string) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;
const mutations = (n: number, field: string) => `mutation ${aliases(n, field)}`;
/** N fragments, each spreading the next twice: 2^N fields once expanded. */
function doublingChain(n: number): string {
  const frags = Array.from({ length: n }, (_, i) => `fragment F${i} on Client { ...F${i + 1} ...F${i + 1} }`);
  return `query { client(id: "c") { ...F0 } } ${frags.join(' ')} fragment F${n} on Client { balance }`;
}

describe('GraphQL document limits', () => {
  it('allows depth up to the limit and refuses deeper, also through fragments', () => {
    expect(errors('{ client(id: "c") { ledger { edges { node { id } } } } }')).toEqual([]);
    const deep = `{ webhookDeliveries(webhookId: "w") { edges { node { attemptLog { statusCode } } } } }`;
    expect(errors(deep)).toEqual([]);
    const ofType = (n: number) => `${'ofType { '.repeat(n)}name${' }'.repeat(n)}`;
    expect(errors(`{ __type(name: "Query") { fields { type { ${ofType(6)} } } } }`)).toEqual([]); // 10 levels, the leaf included
    expect(errors(`{ __type(name: "Query") { fields { type { ${ofType(7)} } } } }`)).toEqual([`query is nested deeper than the limit of ${LIMITS.maxDepth} levels`]);
    expect(errors(`{ __type(name: "Query") { ...A } } fragment A on __Type { fields { type { ...B } } } fragment B on __Type { ${ofType(8)} }`)).toHaveLength(1);
    // __schema is exempt: the standard introspection query's depth is fixed by the spec
    expect(errors('{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } }')).toEqual([]);
  });

  it('allows 200 aliases and refuses 201', () => {
    expect(errors(aliases(200, '__typename'))).toEqual([]);
    expect(errors(aliases(201, '__typename'))).toHaveLength(1);
    expect(errors(aliases(200, 'client(id: "c") { balance }'))).toEqual([]);
    expect(errors(aliases(201, 'client(id: "c") { balance }'))).toEqual([`query uses more than ${LIMITS.maxAliases} aliases`]);
  });

  it('prices a read by id at 1, a page at its first, a gateway-calling mutation at 50', () => {
    expect(cost('{ client(id: "c") { balance } }')).toEqual({ ok: true, cost: 1 });
    expect(cost('{ payment(id: "p") { id status amount } }')).toEqual({ ok: true, cost: 1 });
    expect(cost('{ client(id: "c") { ledger(first: 50) { edges { node { amount } } } } }')).toEqual({ ok: true, cost: 51 });
    expect(cost('query($n: Int) { client(id: "c") { ledger(first: $n) { edges { node { amount } } } } }', { n: 7 })).toEqual({ ok: true, cost: 8 });
    expect(cost('mutation { reconcilePayment(id: "p") { status } }')).toEqual({ ok: true, cost: 50 });
    expect(cost('mutation { initiateTopUpPayment(input: { clientId: "c", clubId: "k", amount: 1 }) { transactionId } }')).toEqual({ ok: true, cost: 50 });
    expect(cost('mutation { upsertClub(input: { id: "k", name: "K" }) { id } }')).toEqual({ ok: true, cost: 10 });
  });

  it('lets 100 aliased reads through and refuses 100 aliased gateway calls', () => {
    expect(cost(aliases(100, 'client(id: "c") { balance }'))).toEqual({ ok: true, cost: 100 });
    expect(cost(mutations(100, 'reconcilePayment(id: "p") { status }'))).toMatchObject({ ok: false, message: expect.stringMatching(/costs 5000, more than the limit of 1000/) });
  });

  it('answers a fragment chain that doubles at every link at once, refusing it, however long', () => {
    // 2^10 copies of one field are merged by graphql-js and run once: cheap, allowed
    expect(errors(doublingChain(10))).toEqual([]);
    expect(cost(doublingChain(10))).toMatchObject({ ok: true });
    for (const n of [22, 60, 200]) {
      const started = process.hrtime.bigint();
      const doc = doublingChain(n);
      const result = [...errors(doc), ...[cost(doc)].filter((c) => !c.ok).map((c) => (c as { message: string }).message)];
      expect(result.length).toBeGreaterThan(0);
      // Not a timed assertion on speed: a bound that only an exponential walk could break.
      expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(5_000);
    }
  });

  it('a document\'s cost is kept per parsed document, and still follows the variables it depends on', () => {
    // Apollo hands every request of one query text the same parsed document: costOf keeps its cost.
    const doc = parse('query($n: Int, $big: Boolean!, $id: ID!) { client(id: $id) { ledger(first: $n) { edges { node { id } } } more: ledger(first: 100) @include(if: $big) { edges { node { id } } } } }');
    const of = (variables: Record<string, unknown>) => costOf(schema, doc, variables, undefined);
    const small = of({ n: 2, big: false, id: 'a' });
    expect(of({ n: 2, big: false, id: 'b' })).toEqual(small); // the id does not change what it costs
    expect(of({ n: 50, big: false, id: 'a' })).not.toEqual(small); // a page size does
    expect((of({ n: 2, big: true, id: 'a' }) as { cost: number }).cost).toBeGreaterThan((small as { cost: number }).cost + 50); // so does a directive
    expect(of({ n: 2, big: false, id: 'a' })).toEqual(small);
  });

  it('variables that do not fit cannot plant a cheap cost for the same document with ones that do', () => {
    const expensive = `query($s: String!) { ${Array.from({ length: 20 }, (_, i) => `a${i}: payment(id: "p") { history(first: 500) { toStatus } refunds(first: 500) { id } }`).join(' ')} s: payment(id: $s) { id } }`;
    const doc = parse(expensive);
    expect(costOf(schema, doc, {}, undefined)).toEqual({ ok: true, cost: 1 }); // $s missing: execution refuses it
    expect(costOf(schema, doc, { s: 'x' }, undefined)).toMatchObject({ ok: false, message: expect.stringMatching(/more than the limit/) });
  });

  it('a null that fails one field while its siblings run cannot buy a cost of 1, in one request or planted for later ones', () => {
    const heavy = Array.from({ length: 20 }, (_, i) => `a${i}: payment(id: "p") { history(first: 500) { toStatus } refunds(first: 500) { id } }`).join(' ');
    const byDirective = parse(`query($b: Boolean = true) { ${heavy} z: payment(id: "p") { id @include(if: $b) } }`);
    expect(costOf(schema, byDirective, { b: null }, undefined)).toMatchObject({ ok: false, message: expect.stringMatching(/cannot be costed/) });
    const byArgument = parse(`query($v: ID = "p") { ${heavy} z: payment(id: $v) { id } }`);
    expect(costOf(schema, byArgument, { v: null }, undefined)).toMatchObject({ ok: false, message: expect.stringMatching(/cannot be costed/) });
    expect(costOf(schema, byArgument, {}, undefined)).toMatchObject({ ok: false, message: expect.stringMatching(/costs 20021, more than the limit/) });
    // nor can such a null plant a refusal of what others send with good values
    const cheap = parse('query($v: ID = "p") { payment(id: $v) { id } }');
    expect(costOf(schema, cheap, { v: null }, undefined)).toMatchObject({ ok: false });
    expect(costOf(schema, cheap, {}, undefined)).toEqual({ ok: true, cost: 1 });
  });

  it('null, absent-with-a-default and absent are three values of a variable, not one', () => {
    const doc = parse('query($n: Int = 500) { payment(id: "p") { a: history(first: $n) { toStatus } b: history(first: $n) { toStatus } c: history(first: $n) { toStatus } } }');
    expect(costOf(schema, doc, { n: null }, undefined)).toEqual({ ok: true, cost: 301 }); // null: the field's own default, 100
    expect(costOf(schema, doc, {}, undefined)).toMatchObject({ ok: false, message: expect.stringMatching(/costs 1501/) }); // the document's default, 500
  });

  it('`first: null` costs what the field serves for it (its default), not the default page', () => {
    expect(cost('{ payment(id: "p") { history(first: null) { toStatus } } }')).toEqual({ ok: true, cost: 101 });
  });

  it('the cost cache stays bounded whatever values a caller sends', () => {
    const doc = parse('query($n: Int) { client(id: "c") { ledger(first: $n) { edges { node { id } } } } }');
    const before = costCacheSize();
    for (let i = 0; i < 100; i++) costOf(schema, doc, { n: 'x'.repeat(50_000) + i }, undefined);
    expect(costCacheSize()).toBe(before); // values that do not fit are never kept
    for (let n = 1; n <= COST_CACHE_ENTRIES + 500; n++) costOf(schema, doc, { n }, undefined);
    expect(costCacheSize()).toBe(COST_CACHE_ENTRIES);
  });

  it('the payments list prices what it makes Postgres do: totals once per list, scans, and bulk deletes per id', () => {
    expect(cost('{ payments(first: 20) { edges { node { id } } } }')).toEqual({ ok: true, cost: 20 });
    expect(cost('{ payments(first: 20) { totalCount edges { node { id } } } }')).toEqual({ ok: true, cost: 120 });
    expect(cost('{ payments(first: 1, filter: { text: "x" }) { edges { node { id } } } }')).toEqual({ ok: true, cost: 101 });
    expect(cost('{ payments(first: 1, orderBy: { field: AMOUNT, direction: ASC }) { edges { node { id } } } }')).toEqual({ ok: true, cost: 101 });
    expect(cost('{ payments(first: 1) { ...F } } fragment F on PaymentConnection { totalCount }')).toEqual({ ok: true, cost: 101 });
    const aliases = Array.from({ length: 10 }, (_, i) => `a${i}: payments(first: 1, filter: { text: "zz" }) { totalCount }`).join(' ');
    expect(cost(`{ ${aliases} }`)).toMatchObject({ ok: false, message: expect.stringMatching(/more than the limit/) });
    const ids = JSON.stringify(Array.from({ length: 500 }, (_, i) => `pay_${i}`));
    expect(cost(`mutation { deletePayments(ids: ${ids}) { id ok } }`)).toEqual({ ok: true, cost: 510 });
    expect(cost(`mutation { a: deletePayments(ids: ${ids}) { id } b: deletePayments(ids: ${ids}) { id } }`)).toMatchObject({ ok: false });
  });
});
