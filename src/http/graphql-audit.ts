// The audit log of the API: after a mutation operation is answered, one entry per root field of
// it (at most MAX_ENTRIES, then one counting the rest; a single one when the request was refused
// before anything ran), for any key known to be live (a request without one is refused before
// anything runs and is not recorded, nor is one the rate limit refused). Only the Mutation type's own resolvers are wrapped, so a query does no audit work
// at all. The entry is written before the answer leaves; a failure to write it is logged and never
// changes the answer.
import type { ApolloServerPlugin, GraphQLRequestContextWillSendResponse } from '@apollo/server';
import {
  defaultFieldResolver, getArgumentValues, getDirectiveValues, getOperationAST, getVariableValues, GraphQLIncludeDirective, GraphQLSkipDirective, Kind,
  type DocumentNode, type FieldNode, type GraphQLField, type GraphQLObjectType, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode,
} from 'graphql';
import type { Deps } from '../context';
import type { GqlContext } from '../resolvers/context';
import { appendAudit, type AuditRecord } from '../services/audit/append-audit';
import { argumentIds, auditArgs, boundedInput, boundedTargetIds, marked, resultIds, type Json } from './audit-input';
import { publicCode } from './errors';
import { writeOnlyFieldNames, writeOnlyValues } from './write-only';
import { LIMITS } from './graphql-limits';

/** What one root mutation field did: its coerced arguments, and its result or the code of its error. */
interface Ran {
  args: Record<string, unknown>;
  outcome: string;
  result?: unknown;
}

const isPromise = (v: unknown): v is Promise<unknown> => !!v && typeof (v as { then?: unknown }).then === 'function';

export function auditMutations(deps: Deps, schema: GraphQLSchema): ApolloServerPlugin<GqlContext> {
  const mutation = schema.getMutationType();
  if (!mutation) return {};
  const ran = new WeakMap<GqlContext, Map<string, Ran>>();
  for (const field of Object.values(mutation.getFields())) {
    const resolve = field.resolve ?? defaultFieldResolver;
    field.resolve = (source, args, context: GqlContext, info) => {
      const record: Ran = { args, outcome: 'ok' };
      let fields = ran.get(context);
      if (!fields) ran.set(context, (fields = new Map()));
      fields.set(String(info.path.key), record);
      const failed = (err: unknown) => {
        record.outcome = publicCode(err);
        throw err;
      };
      try {
        const out = resolve(source, args, context, info);
        if (!isPromise(out)) return (record.result = out);
        return out.then((r) => (record.result = r), failed);
      } catch (err) {
        return failed(err);
      }
    };
  }
  const writeOnly = writeOnlyFieldNames(schema);

  return {
    async requestDidStart() {
      return {
        async willSendResponse(rc) {
          const context = rc.contextValue;
          if (!context?.key) return; // no valid key: nothing is known of the caller
          const operation = rc.operation ?? (rc.document ? getOperationAST(rc.document, rc.request.operationName) ?? undefined : undefined);
          if (operation?.operation !== 'mutation' || !rc.document) return;
          if (!context.key.verified) {
            // an invalid document never reached the key check: a revoked key is not recorded either
            try {
              await context.key.ensure();
            } catch {
              return;
            }
          }
          const done = ran.get(context);
          // Refused by the rate limit before anything ran: a flood must not turn into writes.
          if (!done && rc.errors?.some((e) => publicCode(e) === 'RATE_LIMITED')) return;
          let records: AuditRecord[] = [];
          try {
            records = entries(rc, operation, rc.document, mutation, done, writeOnly);
            await appendAudit(deps.db, records);
          } catch (err) {
            // name and code only: a driver's message may quote the values it was given
            const e = err as { name?: string; code?: string };
            context.log.error({ err: { name: e?.name, code: e?.code }, actions: records.map((r) => r.action) }, 'audit entries not written');
          }
        },
      };
    },
  };
}

/** Entries of one request, at most this many; past it, one entry counts the rest. */
export const MAX_ENTRIES = 50;

function entries(
  rc: GraphQLRequestContextWillSendResponse<GqlContext>, operation: OperationDefinitionNode, document: DocumentNode,
  mutation: GraphQLObjectType, ran: Map<string, Ran> | undefined, writeOnly: ReadonlySet<string>,
): AuditRecord[] {
  const { principal } = rc.contextValue.key;
  const variables = rc.request.variables ?? {};
  const secrets = writeOnlyValues(writeOnly, variables, rc.request.query, document);
  // A field that never ran (the request was refused before, or an earlier field failed): the code the caller got.
  const requestOutcome = rc.errors?.length ? publicCode(rc.errors[0]) : 'ok';
  const notRun = requestOutcome === 'ok' ? 'INTERNAL_SERVER_ERROR' : requestOutcome;
  const result = getVariableValues(rc.schema, operation.variableDefinitions ?? [], variables, { maxErrors: 1 });
  const coerced = result.errors ? null : result.coerced;
  // One budget for the whole request: ids and inputs of every entry.
  const budget = { left: LIMITS.maxBodyBytes };
  const record = (action: string, targets: { ids: string[]; more: number }, outcome: string, input: Json): AuditRecord => ({
    organizationId: principal.orgId,
    environment: principal.environment,
    actor: { keyId: principal.tokenId, name: principal.name, role: principal.role },
    action,
    targetIds: targets.ids,
    outcome,
    input: marked(input, targets.more ? { $moreTargets: targets.more } : {}),
    remoteAddress: rc.contextValue.remoteAddress ?? null,
  });
  const defs = mutation.getFields();
  const fields = rootFields(operation.selectionSet, document, coerced ?? variables)
    .flatMap(({ key, node }) => (defs[node.name.value] ? [{ key, node, def: defs[node.name.value] }] : []));
  const entry = ({ key, node, def }: (typeof fields)[number], outcome?: string) => {
    const done = ran?.get(key);
    const args = done?.args ?? argumentsOf(def, node, coerced);
    const targets = boundedTargetIds(budget, args ? argumentIds(args, def.args) : [], done && done.outcome === 'ok' ? resultIds(done.result, def.type) : []);
    const input = args ? boundedInput(auditArgs(args, def.args, secrets), budget) : null;
    return record(def.name, targets, outcome ?? done?.outcome ?? notRun, input);
  };
  if (!ran) {
    // Refused before anything ran (validation, cost, variables): one entry, however many fields it has.
    if (!rc.errors?.length) return [];
    if (!fields.length) return [record('(refused)', { ids: [], more: 0 }, requestOutcome, null)];
    const first = entry(fields[0], requestOutcome);
    return [fields.length > 1 ? { ...first, input: marked(first.input as Json, { $fields: fields.length }) } : first];
  }
  const out = fields.slice(0, MAX_ENTRIES).map((f) => entry(f));
  const rest = fields.slice(MAX_ENTRIES);
  if (rest.length) {
    const outcomes = rest.map((f) => ran.get(f.key)?.outcome ?? notRun);
    const actions = [...new Set(rest.map((f) => f.def.name))];
    out.push(record('(more fields)', { ids: [], more: 0 }, outcomes.find((o) => o !== 'ok') ?? 'ok', { $moreFields: rest.length, actions }));
  }
  return out;
}

/** The arguments a field that did not run would have had, or null when they cannot be read. */
function argumentsOf(def: GraphQLField<unknown, unknown>, node: FieldNode, variables: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!variables) return null;
  try {
    return getArgumentValues(def, node, variables);
  } catch {
    return null;
  }
}

/** The operation's root fields by response key, through fragments, as execution takes them (@skip / @include honoured). */
function rootFields(set: SelectionSetNode, document: DocumentNode, variables: Record<string, unknown>, seen = new Set<string>()): { key: string; node: FieldNode }[] {
  const out: { key: string; node: FieldNode }[] = [];
  const included = (node: Parameters<typeof getDirectiveValues>[1]) => {
    try {
      return !getDirectiveValues(GraphQLSkipDirective, node, variables)?.if && getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
    } catch {
      return true;
    }
  };
  for (const s of set.selections) {
    if (!included(s)) continue;
    if (s.kind === Kind.FIELD) {
      const key = s.alias?.value ?? s.name.value;
      if (s.name.value !== '__typename' && !out.some((f) => f.key === key)) out.push({ key, node: s });
    } else {
      const fragment = s.kind === Kind.INLINE_FRAGMENT ? s
        : seen.has(s.name.value) ? undefined
          : document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === s.name.value);
      if (s.kind === Kind.FRAGMENT_SPREAD) seen.add(s.name.value);
      if (fragment && 'selectionSet' in fragment) {
        for (const f of rootFields(fragment.selectionSet, document, variables, seen)) if (!out.some((o) => o.key === f.key)) out.push(f);
      }
    }
  }
  return out;
}
