// Input values of write-only fields (gateway secrets) never come back in an error message. Which
// fields are write-only is read from the schema (WRITE_ONLY, resolvers/field-extensions.ts);
// their values are found in the request's variables and in its document, whatever shape the client
// sent them in (a list for an object, an unknown extra field, a document that does not parse), and
// taken out of every error message before it leaves.
import { GraphQLInputObjectType, Kind, Lexer, Source, TokenKind, valueFromASTUntyped, type DocumentNode, type GraphQLSchema } from 'graphql';

export function writeOnlyFieldNames(schema: GraphQLSchema): ReadonlySet<string> {
  const names = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!(type instanceof GraphQLInputObjectType)) continue;
    for (const field of Object.values(type.getFields())) if (field.extensions?.writeOnly) names.add(field.name);
  }
  return names;
}

/**
 * Every value given for a write-only field, in the variables (with the defaults the parsed
 * `document` declares for those not given) or literally in the document.
 */
export function writeOnlyValues(names: ReadonlySet<string>, given: unknown, query: string | undefined, document?: DocumentNode): string[] {
  const variables = (given && typeof given === 'object' ? given : {}) as Record<string, unknown>;
  // every operation's: a name may have another default in each
  const defaults = defaultsOf(document);
  const found = new Set<string>();
  const leaves = (v: unknown): void => {
    if (v === null || v === undefined) return;
    if (typeof v === 'object') Object.values(v as object).forEach(leaves);
    else found.add(String(v));
  };
  const walk = (v: unknown): void => {
    if (!v || typeof v !== 'object') return;
    for (const [key, value] of Object.entries(v as object)) {
      if (names.has(key)) leaves(value);
      else walk(value);
    }
  };
  walk(variables);
  for (const [name, values] of defaults) if (variables[name] === undefined) walk({ [name]: values });
  if (query) {
    // A variable used where a write-only field goes holds a secret too, whatever it is called.
    for (const name of scanDocument(names, query, found)) leaves(variables[name] === undefined ? defaults.get(name) : variables[name]);
  }
  return [...found].filter((v) => v.length > 0).sort((a, b) => b.length - a.length);
}

/** The default values of the document's variables, as written. */
function defaultsOf(document: DocumentNode | undefined): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  for (const d of document?.definitions ?? []) {
    if (d.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const v of d.variableDefinitions ?? []) {
      if (!v.defaultValue) continue;
      const name = v.variable.name.value;
      out.set(name, [...(out.get(name) ?? []), valueFromASTUntyped(v.defaultValue)]);
    }
  }
  return out;
}

const VALUE_TOKENS: ReadonlySet<string> = new Set([TokenKind.NAME, TokenKind.INT, TokenKind.FLOAT, TokenKind.STRING, TokenKind.BLOCK_STRING]);

/**
 * A write-only field's name, then its value: one token, or everything inside the list or object
 * that follows. Literal values go into `found`; the names of variables in those places are returned.
 */
function scanDocument(names: ReadonlySet<string>, query: string, found: Set<string>): string[] {
  const variables: string[] = [];
  let state: 'idle' | 'named' | 'value' = 'idle';
  let depth = 0;
  let variable = false;
  try {
    const lexer = new Lexer(new Source(query));
    for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
      if (state === 'idle') {
        if (token.kind === TokenKind.NAME && names.has(token.value)) state = 'named';
      } else if (state === 'named') {
        // the colon may be missing: that is the document's syntax error, which quotes the next token
        if (VALUE_TOKENS.has(token.kind)) found.add(token.value);
        state = token.kind === TokenKind.COLON ? 'value' : 'idle';
      } else if (token.kind === TokenKind.DOLLAR) {
        variable = true;
      } else if (variable && token.kind === TokenKind.NAME) {
        variable = false;
        variables.push(token.value);
        if (depth === 0) state = 'idle';
      } else if (token.kind === TokenKind.BRACKET_L || token.kind === TokenKind.BRACE_L) {
        depth++;
      } else if (token.kind === TokenKind.BRACKET_R || token.kind === TokenKind.BRACE_R) {
        depth = Math.max(0, depth - 1);
        if (depth === 0) state = 'idle';
      } else if (VALUE_TOKENS.has(token.kind)) {
        found.add(token.value);
        if (depth === 0) state = 'idle';
      }
    }
  } catch {
    // a token the lexer cannot read ends the scan; an error names no value past it
  }
  return variables;
}

export function redact(message: string, values: readonly string[]): string {
  let out = message;
  for (const v of values) {
    out = out.split(JSON.stringify(v)).join('"[redacted]"');
    if (v.length >= 3) out = out.split(v).join('[redacted]');
  }
  return out;
}
