// Carries out a queued receipt: sends it to the cash register of the payment's gateway, once.
// Runs in the outbox consumer's transaction, which holds the Receipt row's lock for the call, so
// two workers never send the same receipt; a worker killed mid-call rolls back and the row is sent
// again with the same X-Request-ID (receipt-<id>-<attempt>), which CloudPayments answers once.
import type { Deps } from '../../context';
import type { Tx } from '../../db';
import type { Receipt } from '../../generated/prisma/client';
import { GatewayError, type FiscalData, type GatewayReceipt } from '../../gateways/types';
import type { CustomerReceipt } from '../../domain/receipts';
import { gatewayTypesWith } from '../../gateways/registry';
import { loadGateway, type LoadedGateway } from '../gateways/load-gateway';
import { receiptIssuedEvent } from './receipt-view';
import { addOutbox, type OutboxEntry } from '../outbox/outbox';

/**
 * The cash register for a receipt: its own gateway's when that gateway has one; otherwise (a
 * CryptoCloud payment, a settlement) the organization's oldest active gateway of the same
 * environment whose adapter issues receipts. Null: none, the receipt fails with a reason.
 */
async function registerFor(deps: Deps, tx: Tx, r: Receipt): Promise<LoadedGateway | null> {
  const own = await loadGateway(deps, r.gatewayId);
  if (own?.adapter.issueReceipt && !own.unavailable) return own;
  const others = await tx.paymentGateway.findMany({
    where: { organizationId: r.organizationId, environment: r.environment, isActive: true, type: { in: gatewayTypesWith('issueReceipt') } },
    orderBy: { createdAt: 'asc' }, select: { id: true },
  });
  for (const g of others) {
    const loaded = await loadGateway(deps, g.id);
    if (loaded?.adapter.issueReceipt && !loaded.unavailable) return loaded;
  }
  return null;
}

export async function issueReceipts(deps: Deps, tx: Tx, receiptIds: readonly string[]): Promise<() => Promise<void>> {
  const fetchAfter: { receipt: Receipt; gateway: LoadedGateway }[] = [];
  for (const id of receiptIds) {
    const [locked] = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Receipt" WHERE id = ${id} FOR UPDATE`;
    if (!locked) continue;
    const r = await tx.receipt.findUniqueOrThrow({ where: { id } });
    if (r.status !== 'PENDING' || r.externalId) continue; // already sent (or settled by hand): never twice
    const org = await tx.organization.findUniqueOrThrow({ where: { id: r.organizationId }, select: { fiscalInn: true } });
    const gateway = await registerFor(deps, tx, r);
    if (!gateway || !org.fiscalInn) {
      await tx.receipt.update({ where: { id }, data: { status: 'FAILED', error: !org.fiscalInn ? 'the organization has no INN in its fiscal settings' : 'no cash register: the organization has no active gateway in this environment that issues receipts (CloudPayments, SANDBOX)' } });
      continue;
    }
    const payment = r.paymentId ? await tx.payment.findUnique({ where: { id: r.paymentId }, select: { clientId: true } }) : null;
    const request: GatewayReceipt = {
      inn: org.fiscalInn,
      type: r.type,
      ...(r.paymentId ? { invoiceId: r.paymentId } : {}),
      ...(payment ? { accountId: payment.clientId } : {}),
      customerReceipt: r.request as unknown as CustomerReceipt,
    };
    const answer = await gateway.adapter.issueReceipt!(gateway.env, gateway.creds, request, `receipt-${r.id}-${r.attempt}`);
    if (answer.ok) {
      const updated = await tx.receipt.update({ where: { id }, data: { externalId: answer.externalId, gatewayId: gateway.id, error: null } });
      fetchAfter.push({ receipt: updated, gateway });
    } else {
      await tx.receipt.update({ where: { id }, data: { status: 'FAILED', gatewayId: gateway.id, error: answer.reason.slice(0, 1000) } });
    }
  }
  // The register prints asynchronously; its Receipt notification fills the fiscal data, and so
  // does asking for it right away (whichever comes first; the other changes nothing).
  return async () => {
    for (const { receipt, gateway } of fetchAfter) await askRegister(deps, gateway, receipt.id, receipt.externalId!);
  };
}

/**
 * Asks the register that took a receipt whether it has printed it (kkt/receipt/get) and records its
 * fiscal data if so. 'issued', 'not yet' (not printed, or the gateway did not answer), or
 * 'cannot ask' (the gateway has no such call).
 */
export async function askRegister(deps: Deps, gateway: LoadedGateway, receiptId: string, externalId: string): Promise<'issued' | 'not yet' | 'cannot ask'> {
  if (!gateway.adapter.getReceipt) return 'cannot ask';
  const fiscal = await gateway.adapter.getReceipt(gateway.env, gateway.creds, externalId).catch((err) => {
    deps.log.info({ err: err instanceof GatewayError ? err.message : err, receiptId }, 'receipt not fetched; its notification or a later check will tell');
    return null;
  });
  if (!fiscal?.fiscalSign) return 'not yet';
  await recordFiscalData(deps, { gatewayId: gateway.id, organizationId: gateway.organizationId }, { ...fiscal, externalId });
  return 'issued';
}

/**
 * The register printed a receipt: PENDING → ISSUED with its fiscal data and a RECEIPT_ISSUED
 * event, once. Only a receipt sent through this very gateway (so its organization's): another's,
 * an unknown id or a repeat changes nothing. Returns whether the receipt is known.
 */
export async function recordFiscalData(deps: Deps, by: { gatewayId: string; organizationId: string }, fiscal: FiscalData): Promise<boolean> {
  if (!fiscal.externalId) return false;
  const events: OutboxEntry[] = [];
  const known = await deps.db.$transaction(async (tx) => {
    const r = await tx.receipt.findFirst({ where: { externalId: fiscal.externalId, gatewayId: by.gatewayId, organizationId: by.organizationId } });
    if (!r) return false;
    const changed = await tx.receipt.updateManyAndReturn({
      where: { id: r.id, status: 'PENDING' },
      data: { status: 'ISSUED', fiscalNumber: fiscal.fiscalNumber ?? null, fiscalSign: fiscal.fiscalSign ?? null, documentNumber: fiscal.documentNumber ?? null, url: fiscal.url ?? null, qrCodeUrl: fiscal.qrCodeUrl ?? null, error: null },
    });
    if (changed.length) {
      events.push(...await addOutbox(tx, [receiptIssuedEvent(changed[0])]));
    }
    return true;
  });
  if (events.length) deps.outboxSignal.notify(events.map((e) => e.kind));
  return known;
}
