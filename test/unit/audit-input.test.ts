// The pure part of the audit log: what an entry keeps of a mutation's arguments and result.
import 'reflect-metadata';
import { GraphQLID, GraphQLInputObjectType, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLString, parse, type GraphQLSchema } from 'graphql';
import {
  argumentIds, auditArgs, boundedInput, boundedTargetIds, MAX_INPUT_BYTES, MAX_TARGET_IDS, resultIds, targetIds, TRUNCATED_HEAD_CHARS, withoutWriteOnly,
} from '../../src/http/audit-input';
import { writeOnlyFieldNames, writeOnlyValues } from '../../src/http/write-only';
import { storableJson, storableText } from '../../src/services/audit/append-audit';
import { buildGraphqlSchema } from '../../src/resolvers/schema';

const Secretive = new GraphQLInputObjectType({
  name: 'Secretive',
  fields: {
    id: { type: GraphQLID },
    name: { type: GraphQLString },
    secret: { type: GraphQLString, extensions: { writeOnly: true } },
    nested: { type: new GraphQLList(new GraphQLInputObjectType({ name: 'Inner', fields: { token: { type: GraphQLString, extensions: { writeOnly: true } }, ref: { type: new GraphQLNonNull(GraphQLID) } } })) },
  },
});

describe('audit input', () => {
  it('leaves out write-only fields at any depth, and keeps the rest as JSON', () => {
    const at = new Date('2026-12-03T10:00:00.000Z');
    expect(withoutWriteOnly({ id: 'x', name: 'n', secret: 's', nested: [{ token: 't', ref: 'r' }] }, Secretive)).toEqual({ id: 'x', name: 'n', nested: [{ ref: 'r' }] });
    expect(withoutWriteOnly(at, GraphQLString)).toBe('2026-12-03T10:00:00.000Z');
    expect(withoutWriteOnly(null, Secretive)).toBeNull();
    expect(withoutWriteOnly({ any: ['json', 1] }, GraphQLString)).toEqual({ any: ['json', 1] });
    expect(withoutWriteOnly(10n, GraphQLString)).toBe('10');
  });

  it('replaces a write-only value found elsewhere in the input (given twice)', () => {
    const args = [{ name: 'input', type: Secretive, description: null, defaultValue: undefined, deprecationReason: null, extensions: {}, astNode: undefined }];
    expect(auditArgs({ input: { name: 'copy of hunter22', secret: 'hunter22' } }, args, ['hunter22'])).toEqual({ input: { name: 'copy of [redacted]' } });
  });

  it('the real schema marks the gateway secrets write-only', async () => {
    const schema: GraphQLSchema = await buildGraphqlSchema();
    const def = schema.getMutationType()!.getFields().configurePaymentGateway;
    const out = auditArgs({ input: { organizationId: 'org_1', type: 'SANDBOX', publicId: 'p', apiSecret: 'a', webhookSecret: 'w' } }, def.args, []);
    expect(out).toEqual({ input: { organizationId: 'org_1', type: 'SANDBOX', publicId: 'p' } });
  });

  it('bounds an entry\'s input and a request\'s whole budget', () => {
    const budget = { left: 64 * 1024 };
    const small = { a: 'b' };
    expect(boundedInput(small, budget)).toBe(small);
    const big = { text: 'x'.repeat(MAX_INPUT_BYTES) };
    const cut = boundedInput(big, budget) as { $truncated: boolean; bytes: number; head: string };
    expect(cut).toEqual({ $truncated: true, bytes: MAX_INPUT_BYTES + 11, head: expect.any(String) });
    expect(cut.head).toHaveLength(TRUNCATED_HEAD_CHARS);
    // what fits one entry no longer fits once the request has stored its share
    const spent = { left: 10 };
    expect(boundedInput({ a: 'bcdefghijklm' }, spent)).toEqual({ $truncated: true, bytes: 20, head: '{"a":"bcde' });
    expect(boundedInput({ a: 'b' }, spent)).toEqual({ $truncated: true, bytes: 9, head: '' });
    expect(boundedInput(null, spent)).toBeNull();
  });

  it('targets: ID arguments at any depth, and the ID fields of the result and of its objects', () => {
    const args = [{ name: 'input', type: Secretive, description: null, defaultValue: undefined, deprecationReason: null, extensions: {}, astNode: undefined },
      { name: 'ids', type: new GraphQLList(GraphQLID), description: null, defaultValue: undefined, deprecationReason: null, extensions: {}, astNode: undefined }];
    expect(argumentIds({ input: { id: 'a', name: 'not an id', nested: [{ ref: 'b' }] }, ids: ['c', 'd'] }, args)).toEqual(['a', 'b', 'c', 'd']);
    const Key = new GraphQLObjectType({ name: 'Key', fields: { id: { type: GraphQLID }, token: { type: GraphQLString } } });
    const Result = new GraphQLObjectType({ name: 'Result', fields: { key: { type: Key }, token: { type: GraphQLString }, otherId: { type: GraphQLID } } });
    expect(resultIds({ key: { id: 'tok_1', token: 'pgk_secret' }, token: 'pgk_secret', otherId: 'x' }, Result)).toEqual(['tok_1', 'x']);
    expect(resultIds([{ id: 'p1' }, { id: 'p2' }], new GraphQLList(Key))).toEqual(['p1', 'p2']);
    expect(resultIds(true, GraphQLString)).toEqual([]);
  });

  it('keeps target ids distinct, storable and bounded', () => {
    const many = Array.from({ length: MAX_TARGET_IDS + 5 }, (_, i) => `id_${i}`);
    expect(targetIds(['a', 'b'], ['a', '', 'x'.repeat(201), 'c'])).toEqual(['a', 'b', 'c']);
    expect(targetIds(many)).toHaveLength(MAX_TARGET_IDS);
  });

  it('spends the request\'s budget on ids too, and counts the ids left out', () => {
    const budget = { left: 100 };
    expect(boundedTargetIds(budget, ['pay_1', 'pay_2', 'pay_1'], Array.from({ length: 20 }, (_, i) => `pay_x${i}`))).toEqual({
      ids: ['pay_1', 'pay_2', 'pay_x0', 'pay_x1', 'pay_x2', 'pay_x3', 'pay_x4'], more: 15,
    });
    expect(budget.left).toBe(4); // 100 - 7 ids, each its bytes and 8
    expect(boundedTargetIds({ left: Infinity }, Array.from({ length: MAX_TARGET_IDS + 5 }, (_, i) => `id_${i}`)).more).toBe(5);
  });

  it('stores text Postgres takes: no NUL, no lone surrogate, never cut inside a surrogate pair', () => {
    expect(storableText('a\u0000b\ud800c\udc00')).toBe('ab\ufffdc\ufffd');
    expect(storableText('ab\u{1F600}', 3)).toBe('ab');
    expect(storableText('ab\u{1F600}', 4)).toBe('ab\u{1F600}');
    expect(storableJson({ 'k\u0000': ['\ud83d', 1, null, { x: 'y\u0000' }] })).toEqual({ k: ['\ufffd', 1, null, { x: 'y' }] });
    const head = (boundedInput({ t: 'a'.repeat(TRUNCATED_HEAD_CHARS - 7) + '\u{1F600}'.repeat(MAX_INPUT_BYTES) }, { left: Infinity }) as { head: string }).head;
    expect(head).toBe(`{"t":"${'a'.repeat(TRUNCATED_HEAD_CHARS - 7)}`);
  });

  it('finds write-only values given as a variable\'s default, in any operation of the document', async () => {
    const names = writeOnlyFieldNames(await buildGraphqlSchema());
    const query = 'mutation A($s: String! = "DEFAULT-A") { configurePaymentGateway(input: { type: SANDBOX, publicId: "p", apiSecret: $s }) { id } } mutation B($s: String = "DEFAULT-B", $i: PaymentGatewayInput = { apiSecret: "IN-OBJECT" }) { x: configurePaymentGateway(input: $i) { id } }';
    expect(writeOnlyValues(names, {}, query, parse(query))).toEqual(expect.arrayContaining(['DEFAULT-A', 'DEFAULT-B', 'IN-OBJECT']));
    expect(writeOnlyValues(names, {}, query)).not.toContain('DEFAULT-A'); // the defaults come from the parsed document
    expect(writeOnlyValues(names, { s: 'GIVEN' }, query, parse(query))).not.toContain('DEFAULT-A'); // a given value replaces the default
  });
});
