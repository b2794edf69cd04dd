// The sandbox checkout in a real browser (Debian's chromium driven by playwright-core):
// GraphQL top-up → paymentUrl → card form filled by its autocomplete attributes → Pay
// (→ 3-D Secure) → the browser lands on the partner's returnUrl → the worker credits the balance.
// docs/api.md, "Sandbox checkout page", is the contract.
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../helpers/app';
import { balanceOf, makeShop, topUp, type Shop } from '../helpers/fixtures';
import { CARDS } from '../helpers/sandbox';
import { waitFor } from '../helpers/wait';

jest.setTimeout(60_000);

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];
const MISSING = "Debian's chromium is required: apt-get install -y chromium";
const PHONE = { width: 390, height: 844 };
const SCREENSHOT = '/tmp/checkout.png';

const haveChromium = existsSync(CHROMIUM);
const inCi = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';

if (!haveChromium && inCi) {
  describe('checkout in a real browser', () => {
    it('needs chromium', () => {
      throw new Error(MISSING);
    });
  });
} else {
  if (!haveChromium) console.warn(`checkout.browser.test.ts skipped: ${CHROMIUM} not found. ${MISSING}`);
  (haveChromium ? describe : describe.skip)('checkout in a real browser', checkoutSuite);
}

/** The partner's site: serves the returnUrl page so the browser really lands somewhere. */
async function startPartnerSite(): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/payment/success') {
      const failed = url.searchParams.get('status') === 'failed';
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html><head><meta charset="utf-8"><title>Partner app</title></head>
<body><h1 id="outcome">${failed ? 'Payment failed' : 'Thank you'}</h1></body></html>`);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function checkoutSuite() {
  let t: TestApp | undefined;
  let shop: Shop;
  let partner: { server: Server; base: string } | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let returnUrl: string;

  beforeAll(async () => {
    partner = await startPartnerSite();
    returnUrl = `${partner.base}/payment/success`;
    t = await startTestApp('e2e_checkout', {}, { workers: true });
    shop = await makeShop(t);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    if (partner) {
      partner.server.closeAllConnections();
      await new Promise<void>((resolve) => partner!.server.close(() => resolve()));
    }
    await t?.close();
  });

  beforeEach(async () => {
    context = await browser!.newContext({ viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    page = await context.newPage();
  });

  afterEach(async () => {
    await context?.close();
    context = undefined;
  });

  const app = () => t!;
  const paymentStatus = async (id: string): Promise<string> =>
    (await app().gql('query($id: ID!) { payment(id: $id) { status } }', { id }, shop.token)).body.data.payment.status;
  const plus = (balance: string, amount: number) => (Number(balance) + amount).toFixed(2);

  /** Opens the checkout page and fills the card form the way a browser's autofill would. */
  async function fillCard(paymentUrl: string, card: string, screenshot?: string) {
    const res = await page.goto(paymentUrl);
    expect(res?.status()).toBe(200);
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
    await page.locator('[autocomplete="cc-number"]').fill(card);
    await page.locator('[autocomplete="cc-exp"]').fill('12/30');
    await page.locator('[autocomplete="cc-csc"]').fill('123');
    await page.locator('[autocomplete="cc-name"]').fill('ANNA TESTER');
  }

  async function landOnReturnUrl() {
    await page.waitForURL((u) => u.origin === partner!.base && u.pathname === '/payment/success');
    return new URL(page.url());
  }

  it('4111…: fills the form, pays, lands on returnUrl and the balance is credited', async () => {
    const before = await balanceOf(app(), shop);
    const { paymentUrl, transactionId } = await topUp(app(), shop, { amount: 500, returnUrl });

    await fillCard(paymentUrl, CARDS.success, SCREENSHOT);
    const pay = page.getByRole('button', { name: /^Pay\b/ });
    await expect(pay.textContent()).resolves.toContain('500.00 RUB');
    await pay.click();

    const landed = await landOnReturnUrl();
    expect(landed.searchParams.get('status')).toBeNull();
    expect(page.url()).not.toContain('status=failed');
    await expect(page.locator('#outcome').textContent()).resolves.toBe('Thank you');

    await waitFor(() => balanceOf(app(), shop), (b) => b === plus(before, 500));
    expect(await balanceOf(app(), shop)).toBe(plus(before, 500));
    expect(await paymentStatus(transactionId)).toBe('CONFIRMED');
  });

  it('4242… (3-D Secure): Confirm pays, lands on returnUrl and the balance is credited', async () => {
    const before = await balanceOf(app(), shop);
    const { paymentUrl, transactionId } = await topUp(app(), shop, { amount: '10.50', returnUrl });

    await fillCard(paymentUrl, CARDS.threeDs);
    await page.getByRole('button', { name: /^Pay\b/ }).click();

    const confirm = page.getByRole('button', { name: 'Confirm', exact: true });
    const cancel = page.getByRole('button', { name: 'Cancel', exact: true });
    await confirm.waitFor();
    expect(await cancel.isVisible()).toBe(true);
    expect(await page.content()).not.toContain('4242424242424242');
    await confirm.click();

    const landed = await landOnReturnUrl();
    expect(landed.searchParams.get('status')).toBeNull();

    await waitFor(() => balanceOf(app(), shop), (b) => b === plus(before, 10.5));
    expect(await balanceOf(app(), shop)).toBe(plus(before, 10.5));
    expect(await paymentStatus(transactionId)).toBe('CONFIRMED');
  });

  it('4444…4441 (declined): lands on returnUrl?status=failed, payment FAILED, balance unchanged', async () => {
    const before = await balanceOf(app(), shop);
    const { paymentUrl, transactionId } = await topUp(app(), shop, { amount: 300, returnUrl });

    await fillCard(paymentUrl, CARDS.bankDecline);
    await page.getByRole('button', { name: /^Pay\b/ }).click();

    const landed = await landOnReturnUrl();
    expect(landed.searchParams.get('status')).toBe('failed');
    await expect(page.locator('#outcome').textContent()).resolves.toBe('Payment failed');

    expect(await waitFor(() => paymentStatus(transactionId), (s) => s === 'FAILED')).toBe('FAILED');
    // Nothing is credited, not even later by a worker.
    await new Promise((r) => setTimeout(r, 500));
    expect(await balanceOf(app(), shop)).toBe(before);
  });

  it('without a returnUrl (as npm run demo pays), the sandbox shows its own result page', async () => {
    const before = await balanceOf(app(), shop);
    const { paymentUrl } = await topUp(app(), shop, { amount: 7, returnUrl: null });
    await fillCard(paymentUrl, CARDS.success);
    await page.getByRole('button', { name: /^Pay\b/ }).click();
    await page.waitForLoadState();
    await expect(page.locator('h1').textContent()).resolves.toBe('Payment successful');
    await expect(page.locator('body').textContent()).resolves.toContain('7.00 RUB paid');
    await waitFor(() => balanceOf(app(), shop), (b) => b === plus(before, 7));
  });

  it('GET /graphql in a browser is a self-contained explorer that runs a query with the key typed in', async () => {
    const external: string[] = [];
    page.on('request', (r) => { if (!r.url().startsWith(app().url)) external.push(r.url()); });
    const res = await page.goto(`${app().url}/graphql`);
    expect(res?.status()).toBe(200);
    await page.locator('#key').fill(shop.token);
    await page.locator('#query').fill('{ organization { id } }');
    await page.getByRole('button', { name: /Run/ }).click();
    const answer = await waitFor(() => page.locator('#result').textContent(), (text) => !!text?.startsWith('HTTP'));
    expect(answer).toContain('HTTP 200');
    expect(answer).toContain(shop.orgId);
    expect(external).toEqual([]); // nothing from a CDN: it works offline
  });
}
