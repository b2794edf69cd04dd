// What one GraphQL document may cost, checked before anything executes, each in time linear in the
// document (or bounded by a node budget): its size, its depth and its aliases (graphql-armor's
// rules, which remember each fragment once), and its cost (graphql-query-complexity, which gives
// up after a fixed number of nodes). Gateway callbacks share the process: no document may hold it.
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import {
  getNamedType, getNullableType, getOperationAST, getVariableValues, GraphQLError, isCompositeType, isListType, Lexer, Source, TokenKind,
  visit, type ASTNode, type DocumentNode, type GraphQLSchema, type ValidationContext, type ValidationRule,
} from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import { MUTATION_COST } from '../resolvers/field-extensions';
import { DEFAULT_PAGE_SIZE, LARGEST_PAGE_SIZE } from '../services/common/validate';

export const LIMITS = {
  /** Request body of POST /graphql. */
  maxBodyBytes: 64 * 1024,
  /**
   * Lexer tokens in one document (graphql-js stops parsing past it). graphql-js's own
   * OverlappingFieldsCanBeMerged is quadratic in same-named fields: this keeps its worst case
   * to tens of milliseconds, while 100 aliased reads (about 1 100 tokens) still pass.
   */
  maxTokens: 2000,
  /** Fragment definitions in one document: validation work grows with them before any limit rule runs. */
  maxFragments: 50,
  /** A document costs at least one unit per this many bytes (parsing and validating it is work too). */
  bytesPerUnit: 100,
  maxDepth: 10,
  maxAliases: 200,
  /** Cost units of one document; see estimateCost. */
  maxCost: 1000,
  /** graphql-query-complexity walks fragments per spread; past this many nodes it gives up. */
  maxCostNodes: 10_000,
} as const;


/**
 * What can be told from the text alone, before graphql-js parses and validates it: a linear scan
 * of its tokens. Null when it may go on.
 */
export function documentShapeProblem(query: string): string | null {
  let tokens = 0;
  let fragments = 0;
  let depth = 0;
  try {
    const lexer = new Lexer(new Source(query));
    for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
      if (++tokens > LIMITS.maxTokens) return `query has more than ${LIMITS.maxTokens} tokens`;
      if (token.kind === TokenKind.BRACE_L) depth++;
      else if (token.kind === TokenKind.BRACE_R) depth--;
      else if (depth === 0 && token.kind === TokenKind.NAME && token.value === 'fragment' && ++fragments > LIMITS.maxFragments) {
        return `query defines more than ${LIMITS.maxFragments} fragments`;
      }
    }
  } catch {
    return null; // not lexable: graphql-js says why
  }
  return null;
}

/** The units a document costs for its size alone. */
export const sizeUnits = (query: string | undefined) => Math.max(1, Math.ceil(Buffer.byteLength(query ?? '') / LIMITS.bytesPerUnit));

const refuse = (message: string) => (context: ValidationContext | null) => context?.reportError(new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } }));

export function limitRules(): ValidationRule[] {
  return [
    maxDepthRule({ n: LIMITS.maxDepth, flattenFragments: true, ignoreIntrospection: true, propagateOnRejection: false, onReject: [refuse(`query is nested deeper than the limit of ${LIMITS.maxDepth} levels`)] }),
    maxAliasesRule({ n: LIMITS.maxAliases, allowList: [], propagateOnRejection: false, onReject: [refuse(`query uses more than ${LIMITS.maxAliases} aliases`)] }),
  ];
}

/**
 * The cost model: a read by id costs 1, a page costs its `first` (times what each item costs), a
 * bounded list inside a result 1, fields of a fetched object nothing more, a mutation 10 and a
 * mutation that calls a gateway 50 (declared on the field as `complexity`).
 */
export const estimateCost: ComplexityEstimator = ({ type, field, node, args, childComplexity, context }) => {
  const declared = field.extensions?.complexity;
  if (typeof declared === 'number') return declared + childComplexity;
  // a field that prices itself from its arguments (type-graphql's `complexity` as a function)
  if (typeof declared === 'function') return (declared as ComplexityEstimator)({ type, field, node, args, childComplexity, context });
  if (field.args.some((a) => a.name === 'first')) {
    // A page larger than its field allows is refused by the resolver, with a clearer message than a cost.
    // `first: null` is served the field's default (the resolver's), not the argument's absence
    const fieldDefault = field.args.find((a) => a.name === 'first')?.defaultValue;
    const first = typeof args.first === 'number' ? Math.min(args.first, LARGEST_PAGE_SIZE) : typeof fieldDefault === 'number' ? fieldDefault : DEFAULT_PAGE_SIZE;
    return Math.max(1, first) * Math.max(1, childComplexity);
  }
  if (type.name === 'Mutation') return MUTATION_COST + childComplexity;
  if (type.name === 'Query') return 1 + childComplexity;
  if (isListType(getNullableType(field.type)) && isCompositeType(getNamedType(field.type))) return 1 + childComplexity;
  return childComplexity;
};

export type CostResult = { ok: true; cost: number } | { ok: false; message: string };

/**
 * The document's cost, or why it is refused. Variables that do not fit are left to execution to
 * report (it refuses the request before any resolver runs). Apollo hands every request of one
 * query text the same parsed document, so the cost is kept per document and per coerced value of
 * the variables it can depend on (page sizes, directives: small Ints and Booleans), in one cache of
 * bounded size: what a caller sends cannot make it grow past COST_CACHE_ENTRIES.
 */
export function costOf(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | undefined): CostResult {
  let known = documents.get(document);
  if (!known) documents.set(document, (known = { id: nextDocumentId++, dependsOn: costVariables(document) }));
  let key = `${known.id}:${operationName ?? ''}`;
  if (known.dependsOn.length) {
    const coerced = coercedVariables(schema, document, known.dependsOn, variables, operationName);
    if (!coerced) return { ok: true, cost: 1 }; // refused at execution: nothing to cache
    // [] for a variable that is absent with no default, [value] otherwise: null and absent differ
    key += JSON.stringify(known.dependsOn.map((v) => (v in coerced ? [coerced[v]] : [])));
  }
  let result = costCache.get(key);
  if (!result) {
    const computed = computeCost(schema, document, variables, operationName);
    // What these variables' values decided (not the ones the key holds) is never kept for others.
    if (!computed.cacheable) return computed.result;
    result = computed.result;
    if (costCache.size >= COST_CACHE_ENTRIES) costCache.delete(costCache.keys().next().value!);
    costCache.set(key, result);
  }
  return result;
}

const documents = new WeakMap<DocumentNode, { id: number; dependsOn: string[] }>();
let nextDocumentId = 1;
const costCache = new Map<string, CostResult>();
export const COST_CACHE_ENTRIES = 10_000;
/** For tests: how many costs are kept. */
export const costCacheSize = () => costCache.size;

/** The values of the `names` variables (all: every one) as execution will see them (defaults applied), or null when they do not fit. */
function coercedVariables(schema: GraphQLSchema, document: DocumentNode, names: string[] | 'all', variables: Record<string, unknown> | undefined, operationName: string | undefined) {
  const operation = getOperationAST(document, operationName);
  if (!operation) return null;
  const definitions = (operation.variableDefinitions ?? []).filter((d) => names === 'all' || names.includes(d.variable.name.value));
  const result = getVariableValues(schema, definitions, variables ?? {}, { maxErrors: 1 });
  return result.errors ? null : result.coerced;
}

/** The variables a cost can depend on: those given to a `first` argument or to a directive (@include, @skip). */
function costVariables(document: DocumentNode): string[] {
  const names = new Set<string>();
  const collect = (node: ASTNode) => visit(node, { Variable: (v) => void names.add(v.name.value) });
  visit(document, {
    Directive: (d) => void collect(d),
    Argument: (arg) => void (arg.name.value === 'first' && collect(arg.value)),
    VariableDefinition: () => false, // a definition's own variable is no use of it
  });
  return [...names].sort();
}

/**
 * The cost, cacheable unless it was decided by variables' values. Variables that do not fit the
 * operation cost 1: execution refuses the whole request before any resolver runs, with
 * graphql-js's usual message. Any other failure to cost it (a variable's null reaching a non-null
 * argument or directive, which fails that one field while its siblings run) is a refusal: what
 * cannot be costed does not run.
 */
function computeCost(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | undefined): { result: CostResult; cacheable: boolean } {
  let cost: number;
  try {
    cost = getComplexity({ schema, query: document, variables: variables ?? {}, operationName, estimators: [estimateCost], maxQueryNodes: LIMITS.maxCostNodes });
  } catch (err) {
    if (err instanceof GraphQLError && /maximum allowed number of nodes/.test(err.message)) {
      return { result: { ok: false, message: `query is too large to run (more than ${LIMITS.maxCostNodes} fields once fragments are expanded)` }, cacheable: true };
    }
    if (!coercedVariables(schema, document, 'all', variables, operationName)) return { result: { ok: true, cost: 1 }, cacheable: false };
    return { result: { ok: false, message: `query cannot be costed: ${err instanceof Error ? err.message : String(err)}` }, cacheable: false };
  }
  if (cost > LIMITS.maxCost) return { result: { ok: false, message: `query costs ${cost}, more than the limit of ${LIMITS.maxCost} per request` }, cacheable: true };
  return { result: { ok: true, cost: Math.max(1, cost) }, cacheable: true };
}
