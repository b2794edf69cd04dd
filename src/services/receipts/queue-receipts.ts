// Receipts are queued in the transaction of the money movement they are for (a credit, a refund
// booking): a Receipt row (unique per movement and type, so a movement never
// gets two) and its receipt.issue outbox row commit with it or not at all.
import type { Tx } from '../../db';
import { newId } from '../../domain/ids';
import { advanceReceipt, buildReceipt, currencyProblem, settlementReceipt, wantsReceipt, type CustomerReceipt, type FiscalSettings, type ReceiptType } from '../../domain/receipts';
import { Decimal } from '../../domain/money';
import { storedItems, type PaymentItem } from '../../domain/payment-items';
import type { Environment } from '../../domain/environment';
import type { Prisma } from '../../generated/prisma/client';
import { addOutbox, type OutboxEntry } from '../outbox/outbox';

interface Movement {
  organizationId: string;
  environment: Environment;
  paymentId: string | null;
  gatewayId: string | null;
  movementKey: string;
  type: ReceiptType;
  amount: Decimal;
  built: { receipt: CustomerReceipt } | { problem: string };
}

async function fiscalOf(tx: Tx, organizationId: string): Promise<(FiscalSettings & { inn: string | null }) | null> {
  const o = await tx.organization.findUnique({ where: { id: organizationId }, select: { fiscalInn: true, fiscalTaxationSystem: true, fiscalDefaultVat: true, receiptsEnabled: true } });
  if (!o || !o.receiptsEnabled || !o.fiscalInn) return null;
  return { inn: o.fiscalInn, taxationSystem: o.fiscalTaxationSystem ?? 0, defaultVat: o.fiscalDefaultVat, receiptsEnabled: true };
}

async function contactOf(tx: Tx, organizationId: string, clientId: string) {
  return (await tx.client.findUnique({ where: { organizationId_id: { organizationId, id: clientId } }, select: { email: true, phone: true } })) ?? {};
}

async function queue(tx: Tx, m: Movement): Promise<OutboxEntry[]> {
  const id = newId('rcp');
  // One that cannot be built is written FAILED with the reason (never sent): visible, and the movement goes on.
  const refused = 'problem' in m.built ? { status: 'FAILED' as const, error: m.built.problem.slice(0, 1000) } : {};
  const request = ('receipt' in m.built ? m.built.receipt : {}) as unknown as Prisma.InputJsonObject;
  const created = await tx.receipt.createMany({
    data: [{ id, organizationId: m.organizationId, environment: m.environment, paymentId: m.paymentId, gatewayId: m.gatewayId, movementKey: m.movementKey, type: m.type, amount: m.amount.toFixed(), request, ...refused }],
    skipDuplicates: true,
  });
  if (!created.count || 'problem' in m.built) return [];
  return addOutbox(tx, [{ key: `receipt-${id}-0`, kind: 'receipt.issue', organizationId: m.organizationId, payload: { receiptId: id } }]);
}

interface PaymentRow {
  id: string;
  organizationId: string;
  environment: Environment;
  clientId: string;
  gatewayId: string | null;
  gatewayType: string;
  amount: Prisma.Decimal | Decimal;
  currency: string;
  items: unknown;
}

/**
 * The INCOME receipts of payments just credited (a top-up is an advance). One read of the
 * organizations' fiscal settings for the whole credit batch: with receipts off, nothing more.
 */
export async function queueIncomeReceipts(tx: Tx, credited: readonly { row: PaymentRow; amount: Decimal }[]): Promise<OutboxEntry[][]> {
  const orgIds = [...new Set(credited.map((c) => c.row.organizationId))];
  const enabled = orgIds.length
    ? await tx.organization.findMany({ where: { id: { in: orgIds }, receiptsEnabled: true, fiscalInn: { not: null } }, select: { id: true, fiscalInn: true, fiscalTaxationSystem: true, fiscalDefaultVat: true } })
    : [];
  const fiscalBy = new Map(enabled.map((o) => [o.id, { inn: o.fiscalInn!, taxationSystem: o.fiscalTaxationSystem ?? 0, defaultVat: o.fiscalDefaultVat, receiptsEnabled: true }]));
  const queued: OutboxEntry[][] = [];
  for (const { row: p, amount } of credited) {
    const fiscal = fiscalBy.get(p.organizationId);
    if (!fiscal || !wantsReceipt(fiscal, p.gatewayType)) {
      queued.push([]);
      continue;
    }
    const items = storedItems(p.items, p.amount, p.currency);
    const contact = await contactOf(tx, p.organizationId, p.clientId);
    const built = buildReceipt(p.currency, () => advanceReceipt({ items, amount, fiscal, contact }));
    queued.push(await queue(tx, { organizationId: p.organizationId, environment: p.environment, paymentId: p.id, gatewayId: p.gatewayId, movementKey: `payment-${p.id}`, type: 'INCOME', amount, built }));
  }
  return queued;
}

/** The INCOME_RETURN receipt of a refund booked, for the refunded amount. */
export async function queueReturnReceipt(tx: Tx, p: PaymentRow, refund: { id: string; amount: Decimal }): Promise<OutboxEntry[]> {
  const fiscal = await fiscalOf(tx, p.organizationId);
  if (!fiscal || !wantsReceipt(fiscal, p.gatewayType)) return [];
  const items = storedItems(p.items, p.amount, p.currency);
  const contact = await contactOf(tx, p.organizationId, p.clientId);
  const built = buildReceipt(p.currency, () => advanceReceipt({ items, amount: refund.amount, fiscal, contact }));
  return queue(tx, { organizationId: p.organizationId, environment: p.environment, paymentId: p.id, gatewayId: p.gatewayId, movementKey: `refund-${refund.id}`, type: 'INCOME_RETURN', amount: refund.amount, built });
}

/** The movement key of a spend's settlement receipt: one per ledger entry. */
export const spendMovementKey = (ledgerEntryId: string) => `spend-${ledgerEntryId}`;

/**
 * The full-settlement INCOME receipt of a balance spend with items (method 4, paid by the advance:
 * amounts.advancePayment). No payment, so no gateway of its own: it goes through the
 * organization's cash register of the spend's environment (issue-receipt.ts registerFor).
 */
export async function queueSettlementReceipt(
  tx: Tx,
  spend: { organizationId: string; environment: Environment; clientId: string; entryId: string; amount: Decimal; currency: string },
  items: readonly PaymentItem[],
): Promise<OutboxEntry[]> {
  const fiscal = await fiscalOf(tx, spend.organizationId);
  if (!fiscal) return [];
  const contact = await contactOf(tx, spend.organizationId, spend.clientId);
  // The lines are the caller's input: one a receipt cannot take refuses the spend (BAD_USER_INPUT), nothing written.
  const built = currencyProblem(spend.currency) ? buildReceipt(spend.currency, () => ({}) as CustomerReceipt) : { receipt: settlementReceipt({ items, amount: spend.amount, fiscal, contact }) };
  return queue(tx, { organizationId: spend.organizationId, environment: spend.environment, paymentId: null, gatewayId: null, movementKey: spendMovementKey(spend.entryId), type: 'INCOME', amount: spend.amount, built });
}
