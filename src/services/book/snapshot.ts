// Loading a payment for the book: the row (locked when a decision will change it) and the
// snapshot the book reads, with the refunds and the newest history entry.
import type { Pool, PoolClient } from 'pg';
import type { Tx } from '../../db';
import type { HistoryCode, PaymentSnapshot, RefundSnapshot } from '../../domain/book';
import { Decimal } from '../../domain/money';
import { itemsTotal } from '../../domain/payment-items';
import { Prisma, type Payment, type Refund } from '../../generated/prisma/client';

const dec = (v: { toString(): string }) => new Decimal(v.toString());
const decOrNull = (v: { toString(): string } | null) => (v === null ? null : dec(v));

export interface Loaded {
  row: Payment;
  snapshot: PaymentSnapshot;
  /** With `transactionId`: another payment of the same gateway that already holds it. */
  transactionHeldBy: string | null;
  /** The row version read (Postgres' xmin): a write guarded by it fails if the payment changed since. */
  version: string;
  /** The version of the payment's gateway as read with it (load-gateway.ts). */
  gatewayVersion: string | null;
}

export interface LoadOptions {
  /** Take the row lock for the rest of the transaction (every decision that changes a payment is made under it). */
  lock: boolean;
  /** Load the payment's refunds (decisions about refunds read them). */
  refunds?: boolean;
  /** Only a payment of this gateway: the tenant guard of a gateway's word. Another gateway's payment is not found. */
  gatewayId?: string;
  /** Look for another payment of the same gateway holding this transaction id. */
  transactionId?: string;
}

interface Context { rowVersion: string; gatewayVersion: string | null; clientActive: boolean | null; clientCurrency: string | null; hasHistory: boolean; lastCode: string | null; lastKey: string | null; heldBy: string | null }

function toRefundSnapshot(r: Pick<Refund, 'id' | 'status' | 'amount' | 'gatewayRefundId' | 'reason'>): RefundSnapshot {
  return { id: r.id, status: r.status, amount: dec(r.amount), gatewayRefundId: r.gatewayRefundId, reason: r.reason };
}

/**
 * The payment with what the book needs of it, in one query: the row, locked when asked, and what
 * surrounds it (the client's state and currency, the newest history entry, who else holds the
 * transaction id). This is the hot path of every callback.
 */
export async function loadPayment(tx: Tx, id: string, options: LoadOptions): Promise<Loaded | null> {
  const [loaded] = (await tx.$queryRaw<(Payment & Context)[]>(selectSql(byId(id, options), options))).map(toLoaded);
  if (!loaded) return null;
  if (!options.refunds) return loaded;
  const refunds = await tx.refund.findMany({ where: { paymentId: id }, orderBy: { createdAt: 'asc' } });
  return { ...loaded, snapshot: { ...loaded.snapshot, refunds: refunds.map(toRefundSnapshot) } };
}

/** The same through pg (the callback's hot path, outside Prisma's runtime); never with refunds. */
export async function loadPaymentOn(client: Pool | PoolClient, id: string, options: Omit<LoadOptions, 'refunds'>): Promise<Loaded | null> {
  const q = selectSql(byId(id, options), options);
  const { rows: [found] } = await client.query<Record<string, unknown>>(q.text, q.values);
  return found ? toLoaded(fromPg(found)) : null;
}

/** Many payments at once, unlocked and without refunds (the credit consumer's batch), by id. */
export async function loadPayments(tx: Tx, ids: readonly string[]): Promise<Map<string, Loaded>> {
  const found = await tx.$queryRaw<(Payment & Context)[]>(selectSql(Prisma.sql`p.id = ANY(${[...ids]}::text[])`, { lock: false }));
  return new Map(found.map(toLoaded).map((l) => [l.row.id, l]));
}

const byId = (id: string, options: Pick<LoadOptions, 'gatewayId'>) =>
  Prisma.sql`p.id = ${id} ${options.gatewayId ? Prisma.sql`AND p."gatewayId" = ${options.gatewayId}` : Prisma.empty}`;

/** pg reads numeric columns as strings: as decimals, the row is what Prisma would have read. */
const DECIMAL_COLUMNS = ['amount', 'refundedAmount', 'authorizedAmount', 'captureAmount', 'capturedAmount', 'fee'] as const;
function fromPg(found: Record<string, unknown>): Payment & Context {
  const row = { ...found };
  for (const c of DECIMAL_COLUMNS) row[c] = row[c] === null ? null : new Prisma.Decimal(String(row[c]));
  return row as unknown as Payment & Context;
}

function selectSql(where: Prisma.Sql, options: Pick<LoadOptions, 'lock' | 'transactionId'>): Prisma.Sql {
  return Prisma.sql`
    SELECT p.*, p.xmin::text AS "rowVersion", (SELECT gw.xmin::text FROM "PaymentGateway" gw WHERE gw.id = p."gatewayId") AS "gatewayVersion", c."isActive" AS "clientActive", c.currency AS "clientCurrency",
           e.id IS NOT NULL AS "hasHistory", e.code AS "lastCode", e.data->>'repeatKey' AS "lastKey",
           ${options.transactionId
             ? Prisma.sql`(SELECT o.id FROM "Payment" o WHERE o."gatewayId" = p."gatewayId" AND o."gatewayTransactionId" = ${options.transactionId} AND o.id <> p.id LIMIT 1)`
             : Prisma.sql`NULL::text`} AS "heldBy"
    FROM "Payment" p
    LEFT JOIN "Client" c ON c."organizationId" = p."organizationId" AND c.id = p."clientId"
    LEFT JOIN LATERAL (SELECT pe.id, pe.code, pe.data FROM "PaymentEvent" pe WHERE pe."paymentId" = p.id ORDER BY pe.id DESC LIMIT 1) e ON true
    WHERE ${where}
    ${options.lock ? Prisma.sql`FOR UPDATE OF p` : Prisma.empty}`;
}

function toLoaded(found: Payment & Context): Loaded {
  const { rowVersion, gatewayVersion, clientActive, clientCurrency, hasHistory, lastCode, lastKey, heldBy, ...row } = found;
  return {
    row,
    transactionHeldBy: heldBy,
    version: rowVersion,
    gatewayVersion,
    snapshot: {
      id: row.id,
      status: row.status,
      environment: row.environment,
      amount: dec(row.amount),
      currency: row.currency,
      clientId: row.clientId,
      clientActive: clientActive ?? false,
      clientCurrency,
      gatewayTransactionId: row.gatewayTransactionId,
      authorizedAmount: decOrNull(row.authorizedAmount),
      captureAmount: decOrNull(row.captureAmount),
      expiresAt: row.expiresAt,
      failureCode: row.failureCode,
      refundedAmount: dec(row.refundedAmount),
      restrictRefund: row.restrictRefund,
      deleted: row.deletedAt !== null,
      metadata: (row.metadata ?? {}) as Record<string, unknown>,
      refunds: [],
      // History written before codes existed has none.
      lastEntry: hasHistory ? { code: (lastCode ?? 'LEGACY') as HistoryCode, key: lastKey } : null,
      saveCard: row.saveCard,
      itemsTotal: itemsTotal(row.items),
    },
  };
}
