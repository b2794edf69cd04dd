// The emulated CloudKassir cash register (docs/gateways.md 1.7): kkt/receipt queues a receipt and
// prints it at once, the signed Receipt notification carrying its fiscal data follows; kkt/receipt/get
// answers the printed receipt. INN 0000000000 is a register that refuses every receipt.
import { randomBytes } from 'node:crypto';
import { Decimal, decimalFromText } from '../domain/money';
import { utcDateTime, type SandboxMerchant, type SandboxWorld } from './emulator';

export const REFUSING_INN = '0000000000';

type Handler = (merchant: SandboxMerchant, body: Record<string, unknown>) => Promise<{ answer: unknown; after?: () => Promise<unknown> }>;

export function sandboxKassa(api: (method: string, handler: Handler) => void, { store, notify }: Pick<SandboxWorld, 'store' | 'notify'>): void {
  api('kkt/receipt', async (merchant, b) => {
    const inn = String(b.Inn ?? '');
    if (inn === REFUSING_INN) return { answer: { Model: { ErrorCode: -1 }, InnerResult: null, Success: false, Message: `Компания с ИНН ${inn} не найдена` } };
    const receipt = (b.CustomerReceipt ?? {}) as { Items?: { amount?: unknown }[] };
    const items = Array.isArray(receipt.Items) ? receipt.Items : [];
    if (!items.length || !['Income', 'IncomeReturn'].includes(String(b.Type))) return { answer: { Model: { ErrorCode: -1 }, Success: false, Message: 'Invalid receipt' } };
    const id = randomBytes(6).toString('base64url');
    const amount = items.reduce((sum, i) => sum.plus(decimalFromText(String(i.amount ?? '')) ?? 0), new Decimal(0));
    const n = Number.parseInt(randomBytes(3).toString('hex'), 16);
    const fiscal = {
      Id: id,
      DocumentNumber: String(n % 10000),
      SessionNumber: '1',
      FiscalNumber: '9999078900001234',
      FiscalSign: String(1_000_000_000 + n),
      DeviceNumber: '0000000001',
      RegNumber: '0000000001001234',
      Inn: inn,
      Type: String(b.Type),
      Ofd: 'Sandbox OFD',
      Url: `https://receipts.sandbox.invalid/${id}`,
      QrCodeUrl: `https://receipts.sandbox.invalid/${id}/qr`,
      Amount: amount.toFixed(2),
      DateTime: utcDateTime(),
      InvoiceId: b.InvoiceId ? String(b.InvoiceId) : undefined,
      AccountId: b.AccountId ? String(b.AccountId) : undefined,
    };
    await store.remember(merchant.gatewayId, `kkt-receipt-${id}`, fiscal);
    return { answer: { Model: { Id: id, ErrorCode: 0 }, InnerResult: null, Success: true, Message: 'Queued' }, after: () => notify(merchant, 'receipt', fiscal) };
  });

  api('kkt/receipt/get', async (merchant, b) => {
    const fiscal = await store.remembered(merchant.gatewayId, `kkt-receipt-${String(b.Id ?? '')}`);
    return { answer: fiscal ? { Model: { ...(fiscal as object), AdditionalData: fiscal }, Success: true, Message: null } : { Success: false, Message: 'Receipt not found' } };
  });
}
