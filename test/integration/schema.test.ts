// schema.graphql is committed so reviewers see every change to the public contract.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { printSchema } from 'graphql';
import { buildGraphqlSchema } from '../../src/resolvers/schema';

it('schema.graphql matches the code (regenerate with npm run schema:emit)', async () => {
  const committed = readFileSync(path.resolve(__dirname, '../../schema.graphql'), 'utf8');
  expect(committed).toBe(`${printSchema(await buildGraphqlSchema())}\n`);
});
