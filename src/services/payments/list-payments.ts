// payments(filter, orderBy, first, after): the back office's list. A keyset page (stable while
// payments are added: a cursor is the last row's sort value and id), and, when asked for, the
// count and sums per status and currency of the whole filtered set. Always within the key's
// organization and environment. The filter is checked by payment-filter.ts and ANDed with the saved
// and default filters in force (effective-filter.ts); this only turns it into SQL, with every value a
// parameter, run through pg (a UI pages through these). The CSV export shares whereSql and fromSql.
import type { Ctx } from '../../context';
import {
  decodePageCursor, encodePageCursor, type Direction, type OrderField, type PaymentFilterInput, type Period,
} from './payment-filter';
import { effectiveFilter } from './effective-filter';
import type { PaymentQuery } from './filter-and';
import { formatAmount, lessFee } from '../../domain/money';
import { Prisma, type Payment } from '../../generated/prisma/client';
import type { PaymentStatus } from '../../generated/prisma/enums';
import { runSql } from '../common/sql';
import { pageSize } from '../common/validate';
import type { Editable } from './payment-edit';
import { toPaymentView, type PaymentView } from './view';

export interface PaymentOrder { field: OrderField; direction: Direction }

export interface PaymentTotal { status: PaymentStatus; currency: string; count: number; amount: string; fee: string; net: string }

export interface PaymentListPage {
  edges: { cursor: string; node: PaymentView & { backOffice: BackOfficeFields } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  /** Count and sums of the whole filtered set, read only if asked for. */
  summary: () => Promise<{ totalCount: number; totals: PaymentTotal[] }>;
}

const DEFAULT_ORDER: PaymentOrder = { field: 'CREATED_AT', direction: 'DESC' };

const SORT_SQL: Record<OrderField, Prisma.Sql> = {
  CREATED_AT: Prisma.raw('p."createdAt"'),
  // Unpaid payments sort as paid at the beginning of time: first ascending, last descending.
  PAID_AT: Prisma.raw(`coalesce(p."confirmedAt", '-infinity'::timestamptz)`),
  AMOUNT: Prisma.raw('p.amount'),
  STATUS: Prisma.raw('p.status'),
};

function cursorValueSql(field: OrderField, value: string | null): Prisma.Sql {
  switch (field) {
    case 'CREATED_AT': return Prisma.sql`${value}::timestamptz`;
    case 'PAID_AT': return Prisma.sql`coalesce(${value}::timestamptz, '-infinity'::timestamptz)`;
    case 'AMOUNT': return Prisma.sql`${value}::numeric`;
    case 'STATUS': return Prisma.sql`${value}::"PaymentStatus"`;
  }
}

/** A row as pg reads it: numerics as text. */
type Row = Omit<Payment, 'amount' | 'refundedAmount' | 'fee'> & { amount: string; refundedAmount: string; fee: string | null };

function sortValueOf(field: OrderField, p: Row): string | null {
  switch (field) {
    case 'CREATED_AT': return p.createdAt.toISOString();
    case 'PAID_AT': return p.confirmedAt?.toISOString() ?? null;
    case 'AMOUNT': return p.amount;
    case 'STATUS': return p.status;
  }
}


/** [start, end) of a named period in the organization's time zone, as SQL over `tz`. */
const PERIOD_SQL: Record<Period, { unit: string; from: string; to: string }> = {
  TODAY: { unit: 'day', from: '0 days', to: '1 day' },
  YESTERDAY: { unit: 'day', from: '-1 day', to: '0 days' },
  THIS_WEEK: { unit: 'week', from: '0 days', to: '7 days' },
  LAST_WEEK: { unit: 'week', from: '-7 days', to: '0 days' },
  THIS_MONTH: { unit: 'month', from: '0 months', to: '1 month' },
  LAST_MONTH: { unit: 'month', from: '-1 month', to: '0 months' },
  THIS_QUARTER: { unit: 'quarter', from: '0 months', to: '3 months' },
  THIS_YEAR: { unit: 'year', from: '0 years', to: '1 year' },
};

function periodSql(period: Period): Prisma.Sql {
  const { unit, from, to } = PERIOD_SQL[period];
  const local = Prisma.raw(`date_trunc('${unit}', now() AT TIME ZONE o."timeZone")`);
  return Prisma.sql`p."createdAt" >= (${local} + ${Prisma.raw(`interval '${from}'`)}) AT TIME ZONE o."timeZone"
    AND p."createdAt" < (${local} + ${Prisma.raw(`interval '${to}'`)}) AT TIME ZONE o."timeZone"`;
}

export function whereSql(ctx: Ctx, f: PaymentQuery): Prisma.Sql {
  const parts: Prisma.Sql[] = [Prisma.sql`p."organizationId" = ${ctx.orgId}`, Prisma.sql`p.environment = ${ctx.env}::"Environment"`];
  const add = (part: Prisma.Sql) => parts.push(part);
  if (f.none) add(Prisma.sql`FALSE`);
  if (f.ids) add(Prisma.sql`p.id = ANY(${f.ids}::text[])`);
  if (f.clientId !== undefined) add(Prisma.sql`p."clientId" = ${f.clientId}`);
  if (f.clubId !== undefined) add(Prisma.sql`p."clubId" = ${f.clubId}`);
  if (f.gatewayId !== undefined) add(Prisma.sql`p."gatewayId" = ${f.gatewayId}`);
  if (f.gatewayType !== undefined) add(Prisma.sql`p."gatewayType" = ${f.gatewayType}::"GatewayType"`);
  if (f.status) add(Prisma.sql`p.status = ANY(${f.status}::"PaymentStatus"[])`);
  if (f.createdFrom) add(Prisma.sql`p."createdAt" >= ${f.createdFrom}`);
  if (f.createdTo) add(Prisma.sql`p."createdAt" < ${f.createdTo}`);
  for (const period of f.periods) add(periodSql(period));
  if (f.paidFrom) add(Prisma.sql`p."confirmedAt" >= ${f.paidFrom}`);
  if (f.paidTo) add(Prisma.sql`p."confirmedAt" < ${f.paidTo}`);
  if (f.amountFrom) add(Prisma.sql`p.amount >= ${f.amountFrom.toFixed()}::numeric`);
  if (f.amountTo) add(Prisma.sql`p.amount <= ${f.amountTo.toFixed()}::numeric`);
  if (f.currency !== undefined) add(Prisma.sql`p.currency = ${f.currency}`);
  for (const number of f.numbers) {
    const columns = ['p.id', 'p."gatewayTransactionId"', 'p."externalNumber"', 'p."documentNumber"'].map((c) => Prisma.raw(c));
    add('like' in number
      ? Prisma.sql`(${Prisma.join(columns.map((c) => Prisma.sql`${c} LIKE ${number.like}`), ' OR ')})`
      : Prisma.sql`(${Prisma.join(columns.map((c) => Prisma.sql`${c} = ${number.exact}`), ' OR ')})`);
  }
  for (const text of f.texts) add(Prisma.sql`(p.description ILIKE ${text} OR p.note ILIKE ${text})`);
  if (f.restrictRefund !== undefined) add(Prisma.sql`p."restrictRefund" = ${f.restrictRefund}`);
  if (f.hasShortfall !== undefined) {
    const exists = Prisma.sql`EXISTS (SELECT 1 FROM "Refund" r WHERE r."paymentId" = p.id AND r.shortfall > 0)`;
    add(f.hasShortfall ? exists : Prisma.sql`NOT ${exists}`);
  }
  add(f.deleted ? Prisma.sql`p."deletedAt" IS NOT NULL` : Prisma.sql`p."deletedAt" IS NULL`);
  return Prisma.join(parts, ' AND ');
}

const COLUMNS = Prisma.raw(`p.id, p.status, p.environment, p.amount::text AS amount, p.currency, p."clientId", p."clubId", p."createdAt", p."confirmedAt",
  p."expiresAt", p."gatewayTransactionId", p."gatewayType", p."refundedAmount"::text AS "refundedAmount", p.description, p."paymentUrl",
  p."failureReason", p."failureCode", p.note, p."restrictRefund", p."externalNumber", p."documentNumber", p."documentDate", p.tags, p."deletedAt",
  p.items, p.fee::text AS fee, p."subscriptionId"`);

/** With a named period, the organization's row too, for its time zone. */
export const fromSql = (f: PaymentQuery) => (f.periods.length ? Prisma.sql`"Payment" p JOIN "Organization" o ON o.id = p."organizationId"` : Prisma.sql`"Payment" p`);

/**
 * `price` sees the filter in force (the saved and default filters ANDed in) before anything is read:
 * the caller charges what its own price of the request did not cover, or refuses.
 */
export async function listPayments(
  ctx: Ctx,
  args: { filter?: PaymentFilterInput | null; orderBy?: PaymentOrder | null; first?: number | null; after?: string | null },
  { price }: { price?: (filter: PaymentQuery) => Promise<void> } = {},
): Promise<PaymentListPage> {
  const order = args.orderBy ?? DEFAULT_ORDER;
  const take = pageSize(args.first);
  const after = decodePageCursor(args.after, order.field);
  const filter = await effectiveFilter(ctx, args.filter);
  await price?.(filter);
  const where = Prisma.sql`FROM ${fromSql(filter)} WHERE ${whereSql(ctx, filter)}`;
  const sort = SORT_SQL[order.field];
  const dir = Prisma.raw(order.direction === 'ASC' ? 'ASC' : 'DESC');
  const keyset = after
    ? Prisma.sql`AND (${sort}, p.id) ${Prisma.raw(order.direction === 'ASC' ? '>' : '<')} (${cursorValueSql(order.field, after.value)}, ${after.id})`
    : Prisma.empty;
  const rows = await runSql<Row>(ctx.deps.pg, Prisma.sql`
    SELECT ${COLUMNS} ${where} ${keyset} ORDER BY ${sort} ${dir}, p.id ${dir} LIMIT ${take + 1}`);
  const edges = rows.slice(0, take).map((p) => ({
    cursor: encodePageCursor({ field: order.field, value: sortValueOf(order.field, p), id: p.id }),
    node: { ...toPaymentView(p), backOffice: backOfficeOf(p) },
  }));
  let summary: ReturnType<PaymentListPage['summary']> | undefined;
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > take, endCursor: edges.at(-1)?.cursor ?? null },
    summary: () => (summary ??= totalsOf(ctx, where)),
  };
}

async function totalsOf(ctx: Ctx, where: Prisma.Sql): Promise<{ totalCount: number; totals: PaymentTotal[] }> {
  const rows = await runSql<{ status: PaymentStatus; currency: string; count: number; amount: string; fee: string }>(ctx.deps.pg, Prisma.sql`
    SELECT p.status, p.currency, count(*)::int AS count, sum(p.amount)::text AS amount, coalesce(sum(p.fee), 0)::text AS fee
      ${where} GROUP BY p.status, p.currency ORDER BY p.status, p.currency`);
  return {
    totalCount: rows.reduce((n, r) => n + r.count, 0),
    // An unknown fee counts as none: net is the amount less the fees known.
    totals: rows.map((r) => ({ ...r, amount: formatAmount(r.amount, r.currency), fee: formatAmount(r.fee, r.currency), net: formatAmount(lessFee(r.amount, r.fee), r.currency) })),
  };
}

/**
 * The payment's back-office fields (lists read them with the row; payment(id) reads them when
 * asked), with its lines as stored and the gateway's fee (decimal text, null: unknown).
 */
export type BackOfficeFields = Omit<Editable, 'description'> & { deleted: boolean; items: unknown; fee: string | null };

type BackOfficeRow = Pick<Payment, 'note' | 'restrictRefund' | 'externalNumber' | 'documentNumber' | 'documentDate' | 'tags' | 'deletedAt' | 'items'> & { fee: { toString(): string } | null };

export function backOfficeOf(p: BackOfficeRow): BackOfficeFields {
  return {
    note: p.note, restrictRefund: p.restrictRefund, externalNumber: p.externalNumber, documentNumber: p.documentNumber,
    documentDate: p.documentDate, tags: p.tags ?? [], deleted: p.deletedAt !== null, items: p.items, fee: p.fee === null ? null : p.fee.toString(),
  };
}

/** The gateway's fee and what is left once it is taken, as the API shows them (null: unknown). */
export function feeAndNet(fields: Pick<BackOfficeFields, 'fee'>, p: Pick<PaymentView, 'amount' | 'currency'>): { fee: string | null; net: string | null } {
  return fields.fee === null ? { fee: null, net: null } : { fee: formatAmount(fields.fee, p.currency), net: formatAmount(lessFee(p.amount, fields.fee), p.currency) };
}

const backOfficeLoads = new WeakMap<object, Promise<BackOfficeFields>>();

/** The back-office fields of a payment the caller already holds (read once per payment per request). */
export function loadBackOffice(ctx: Ctx, payment: PaymentView & { backOffice?: BackOfficeFields }): Promise<BackOfficeFields> {
  if (payment.backOffice) return Promise.resolve(payment.backOffice);
  let load = backOfficeLoads.get(payment);
  if (!load) {
    load = ctx.deps.db.payment.findFirstOrThrow({
      where: { id: payment.id, organizationId: ctx.orgId, environment: ctx.env },
      select: { note: true, restrictRefund: true, externalNumber: true, documentNumber: true, documentDate: true, tags: true, deletedAt: true, items: true, fee: true },
    }).then(backOfficeOf);
    backOfficeLoads.set(payment, load);
  }
  return load;
}
