import { buildSchema, parse, validate } from 'graphql';
import { depthLimit } from '../../src/resolvers/limits';

const schema = buildSchema(`
  type Node { id: ID! child: Node }
  type Query { node: Node }
`);

const nest = (levels: number) => `{ node ${'{ child '.repeat(levels - 2)}{ id }${' }'.repeat(levels - 2)} }`;

function errors(query: string, max = 4) {
  return validate(schema, parse(query), [depthLimit(max)]).map((e) => e.message);
}

describe('depth limit', () => {
  it('allows queries up to the limit', () => {
    expect(errors(nest(4))).toEqual([]);
  });

  it('refuses deeper queries, also through fragments', () => {
    expect(errors(nest(5))).toEqual(['query is nested deeper than the limit of 4 levels']);
    expect(errors('{ node { ...A } } fragment A on Node { child { ...B } } fragment B on Node { child { child { id } } }')).toHaveLength(1);
  });

  it('does not loop on recursive fragments', () => {
    expect(() => errors('{ node { ...A } } fragment A on Node { child { ...A } }')).not.toThrow();
  });

  it('exempts introspection', () => {
    expect(errors('{ __schema { types { fields { type { ofType { ofType { ofType { name } } } } } } } }')).toEqual([]);
  });
});
