// The sandbox's hosted pages: plain server-rendered HTML, no external assets, usable on a phone.

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
  body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #f3f4f6; margin: 0; padding: 16px; color: #111827; }
  main { max-width: 420px; margin: 24px auto; background: #fff; border-radius: 12px; padding: 24px; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
  .badge { display: inline-block; font-size: 12px; background: #fef3c7; color: #92400e; border-radius: 6px; padding: 2px 8px; }
  h1 { font-size: 20px; margin: 12px 0 4px; }
  .amount { font-size: 32px; font-weight: 600; margin: 8px 0 16px; }
  label { display: block; font-size: 14px; margin: 12px 0 4px; color: #374151; }
  input { width: 100%; box-sizing: border-box; font-size: 18px; padding: 10px 12px; border: 1px solid #d1d5db; border-radius: 8px; }
  .row { display: flex; gap: 12px; } .row > div { flex: 1; }
  button { width: 100%; font-size: 18px; padding: 12px; margin-top: 20px; border: 0; border-radius: 8px; background: #2563eb; color: #fff; cursor: pointer; }
  button.secondary { background: #e5e7eb; color: #111827; }
  .error { background: #fee2e2; color: #991b1b; border-radius: 8px; padding: 8px 12px; margin: 12px 0; }
  .muted { color: #6b7280; font-size: 13px; }
</style>
</head>
<body><main>
<span class="badge">Sandbox · test mode · no real money</span>
${body}
</main></body>
</html>`;
}

export interface CheckoutView {
  orderId: string;
  invoiceId: string;
  amount: string;
  currency: string;
  description: string;
}

export function checkoutPage(order: CheckoutView, error?: string): string {
  return layout('Pay', `
<h1>${esc(order.description)}</h1>
<div class="amount">${esc(order.amount)} ${esc(order.currency)}</div>
${error ? `<div class="error" role="alert">${esc(error)}</div>` : ''}
<form method="post" action="/sandbox/checkout/${encodeURIComponent(order.orderId)}" autocomplete="on">
  <label for="cc-number">Card number</label>
  <input id="cc-number" name="cardNumber" autocomplete="cc-number" inputmode="numeric" placeholder="4111 1111 1111 1111" required>
  <div class="row">
    <div><label for="cc-exp">Expires (MM/YY)</label>
      <input id="cc-exp" name="expiry" autocomplete="cc-exp" inputmode="numeric" placeholder="12/30" required></div>
    <div><label for="cc-csc">CVC</label>
      <input id="cc-csc" name="cvc" autocomplete="cc-csc" inputmode="numeric" placeholder="123" required></div>
  </div>
  <label for="cc-name">Name on card</label>
  <input id="cc-name" name="cardholder" autocomplete="cc-name" placeholder="CARD HOLDER">
  <button type="submit">Pay ${esc(order.amount)} ${esc(order.currency)}</button>
</form>
<p class="muted">Test cards: 4111 1111 1111 1111 (success), 4242 4242 4242 4242 (3-D Secure), 4444 4444 4444 4441 (declined), 4000 0566 5566 5556 (insufficient funds), 4000 0000 0000 3055 (saved cards charge fine), 4000 0000 0000 0002 (saved cards decline).</p>`);
}

export function threeDsPage(order: CheckoutView, state: string, lastFour: string): string {
  return layout('3-D Secure', `
<h1>3-D Secure</h1>
<p>Confirm the payment of <strong>${esc(order.amount)} ${esc(order.currency)}</strong> with the card ending ${esc(lastFour)}.</p>
<form method="post" action="/sandbox/checkout/${encodeURIComponent(order.orderId)}/3ds">
  <input type="hidden" name="state" value="${esc(state)}">
  <button type="submit" name="action" value="confirm">Confirm</button>
  <button type="submit" name="action" value="cancel" class="secondary">Cancel</button>
</form>`);
}

export function resultPage(title: string, message: string): string {
  return layout(title, `<h1>${esc(title)}</h1><p>${esc(message)}</p>`);
}
