import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { decimalFromText } from '../domain/money';

const invalid = (shown: string) =>
  new GraphQLError(`Decimal must be a number like 500 or a decimal string like "500.00", got ${shown}`, {
    extensions: { code: 'BAD_USER_INPUT' },
  });

/** Checks the notation only; services check sign, size and the currency's minor units. */
function parseDecimal(value: unknown): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid(String(value));
    value = String(value);
  }
  if (typeof value !== 'string') throw invalid(typeof value);
  const d = decimalFromText(value);
  if (!d) throw invalid(JSON.stringify(value.slice(0, 40)));
  return d.toFixed();
}

export const DecimalScalar = new GraphQLScalarType<string, string>({
  name: 'Decimal',
  description:
    'A money amount. Input: a JSON number (500) or a decimal string ("500.00"). ' +
    "Output: a string with the currency's minor-unit digits (\"500.00\").",
  serialize: (value) => (typeof value === 'string' ? value : String(value)),
  parseValue: parseDecimal,
  parseLiteral(ast) {
    if (ast.kind === Kind.INT || ast.kind === Kind.FLOAT || ast.kind === Kind.STRING) return parseDecimal(ast.kind === Kind.STRING ? ast.value : ast.value);
    throw invalid(ast.kind);
  },
});
