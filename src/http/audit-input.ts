// What an audit entry keeps of a mutation (docs/api.md "Back office", audit log): its arguments
// as the schema read them, without write-only fields, bounded in size; and the ids it names (its
// ID-typed arguments) or answers with (the ID fields of its result and of the result's objects).
// Pure: the schema types say everything, the values are the coerced arguments and the resolver's result.
import {
  getNamedType, getNullableType, GraphQLID, isInputObjectType, isListType, isObjectType,
  type GraphQLArgument, type GraphQLInputType, type GraphQLOutputType,
} from 'graphql';
import { storableText } from '../services/audit/append-audit';
import { redact } from './write-only';

/** One entry's input, as JSON text, at most this long; longer inputs keep a head and a marker. */
export const MAX_INPUT_BYTES = 16 * 1024;
/** What a truncated input keeps of its JSON text. */
export const TRUNCATED_HEAD_CHARS = 1024;
/** Ids of one entry (deletePayments names up to 500); longer ones than a column holds are left out. */
export const MAX_TARGET_IDS = 500;
export const MAX_TARGET_ID_LENGTH = 200;
/** What a stored id costs of the request's budget beyond its bytes (an array element's header). */
const ID_OVERHEAD_BYTES = 8;

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** The value as the input type holds it, write-only fields left out (an input field's WRITE_ONLY extension). */
export function withoutWriteOnly(value: unknown, type: GraphQLInputType): Json {
  if (value === null || value === undefined) return null;
  const t = getNullableType(type);
  if (isListType(t)) return (Array.isArray(value) ? value : [value]).map((v) => withoutWriteOnly(v, t.ofType));
  if (isInputObjectType(t)) {
    const fields = t.getFields();
    const out: Record<string, Json> = {};
    for (const [name, v] of Object.entries(value as object)) {
      const field = fields[name];
      if (!field || field.extensions?.writeOnly) continue;
      out[name] = withoutWriteOnly(v, field.type);
    }
    return out;
  }
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  // a scalar holding structure (a JSON argument): as JSON says it
  if (typeof value === 'object') return JSON.parse(JSON.stringify(value)) as Json;
  return String(value);
}

/** A field's arguments without write-only fields, and any write-only value still found (given twice) replaced. */
export function auditArgs(args: Record<string, unknown>, defs: readonly GraphQLArgument[], secrets: readonly string[]): Json {
  const out: Record<string, Json> = {};
  for (const def of defs) {
    if (!(def.name in args) || def.extensions?.writeOnly) continue;
    out[def.name] = withoutWriteOnly(args[def.name], def.type);
  }
  return secrets.length ? scrub(out, secrets) : out;
}

function scrub(value: Json, secrets: readonly string[]): Json {
  if (typeof value === 'string') return redact(value, secrets);
  if (Array.isArray(value)) return value.map((v) => scrub(v, secrets));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, secrets)]));
  return value;
}

/**
 * The input as stored: as it is up to `maxBytes` of JSON, else a marker with its size and the
 * start of its text. `budget` is what the request may still store (several fields share one).
 */
export function boundedInput(input: Json, budget: { left: number }, maxBytes = MAX_INPUT_BYTES): Json {
  if (input === null) return null;
  const text = JSON.stringify(input);
  const bytes = Buffer.byteLength(text);
  const limit = Math.min(maxBytes, budget.left);
  if (bytes <= limit) {
    budget.left -= bytes;
    return input;
  }
  const head = storableText(text, Math.min(TRUNCATED_HEAD_CHARS, Math.max(0, budget.left)));
  budget.left -= Buffer.byteLength(head);
  return { $truncated: true, bytes, head };
}

/** Every value of an ID-typed argument, at any depth of the input. */
export function argumentIds(args: Record<string, unknown>, defs: readonly GraphQLArgument[]): string[] {
  const ids: string[] = [];
  const walk = (value: unknown, type: GraphQLInputType): void => {
    if (value === null || value === undefined) return;
    const t = getNullableType(type);
    if (isListType(t)) return void (Array.isArray(value) ? value : [value]).forEach((v) => walk(v, t.ofType));
    if (isInputObjectType(t)) {
      const fields = t.getFields();
      for (const [name, v] of Object.entries(value as object)) if (fields[name]) walk(v, fields[name].type);
      return;
    }
    if (t === GraphQLID) ids.push(String(value));
  };
  for (const def of defs) walk(args[def.name], def.type);
  return ids;
}

/** The ID fields of the result (each item of a list) and of the objects it holds directly, as the resolver returned them. */
export function resultIds(result: unknown, type: GraphQLOutputType): string[] {
  const ids: string[] = [];
  const fieldsOf = (value: unknown, t: GraphQLOutputType, depth: number): void => {
    if (value === null || typeof value !== 'object') return;
    const nullable = getNullableType(t);
    if (isListType(nullable)) return void (Array.isArray(value) ? value : []).forEach((v) => fieldsOf(v, nullable.ofType, depth));
    if (!isObjectType(nullable)) return;
    for (const field of Object.values(nullable.getFields())) {
      const v = (value as Record<string, unknown>)[field.name];
      if (v === undefined || v === null) continue;
      if (getNamedType(field.type) === GraphQLID) {
        for (const id of Array.isArray(v) ? v : [v]) if (typeof id === 'string' || typeof id === 'number') ids.push(String(id));
      } else if (depth === 0 && isObjectType(getNamedType(field.type))) {
        fieldsOf(v, field.type, 1);
      }
    }
  };
  fieldsOf(result, type, 0);
  return ids;
}

/** Distinct, in order, each short enough to store, at most MAX_TARGET_IDS. */
export function targetIds(...lists: string[][]): string[] {
  return boundedTargetIds({ left: Infinity }, ...lists).ids;
}

/** As targetIds, and no more than `budget` leaves (which they spend); `more` counts the distinct ids left out. */
export function boundedTargetIds(budget: { left: number }, ...lists: string[][]): { ids: string[]; more: number } {
  const seen = new Set<string>();
  const ids: string[] = [];
  for (const id of lists.flat()) {
    if (id.length === 0 || id.length > MAX_TARGET_ID_LENGTH || seen.has(id)) continue;
    seen.add(id);
    const cost = Buffer.byteLength(id) + ID_OVERHEAD_BYTES;
    if (ids.length >= MAX_TARGET_IDS || cost > budget.left) continue;
    budget.left -= cost;
    ids.push(id);
  }
  return { ids, more: seen.size - ids.length };
}

/** The input with markers added: `$`-keys, which no GraphQL argument name can be. */
export function marked(input: Json, markers: Record<string, Json>): Json {
  if (!Object.keys(markers).length) return input;
  return input && typeof input === 'object' && !Array.isArray(input) ? { ...input, ...markers } : markers;
}
