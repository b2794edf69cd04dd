// A small GraphQL explorer served at GET /graphql to a browser, outside production. Everything is
// in this page (no CDN, so it works offline, unlike Apollo's hosted Sandbox): a field for the API
// key (kept in the browser's localStorage), the query, its variables, and the answer.
import type { FastifyInstance } from 'fastify';

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Paygate GraphQL explorer</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; display: grid; grid-template-rows: auto 1fr; height: 100vh; }
  header { display: flex; gap: .5rem; align-items: center; padding: .5rem 1rem; background: #1d2733; color: #fff; flex-wrap: wrap; }
  header h1 { font-size: 1rem; margin: 0 1rem 0 0; }
  header input { flex: 1; min-width: 16rem; font: inherit; padding: .3rem; }
  main { display: grid; grid-template-columns: 1fr 1fr; gap: .5rem; padding: .5rem; min-height: 0; }
  section { display: grid; grid-template-rows: auto 3fr auto 1fr; gap: .25rem; min-height: 0; }
  textarea, pre { font: 13px/1.4 ui-monospace, monospace; border: 1px solid #ccc; padding: .5rem; margin: 0; overflow: auto; }
  pre { background: #f6f8fa; white-space: pre-wrap; }
  button { font: inherit; padding: .3rem 1rem; }
  label { font-weight: 600; }
</style></head>
<body>
<header><h1>Paygate</h1>
  <label for="key">API key</label><input id="key" name="key" autocomplete="off" placeholder="pgk_test_…">
  <button id="run" type="button">Run ▶</button></header>
<main>
  <section>
    <label for="query">Query</label>
    <textarea id="query" spellcheck="false">{ organization { id code name } paymentGateways { id type environment } }</textarea>
    <label for="variables">Variables (JSON)</label>
    <textarea id="variables" spellcheck="false">{}</textarea>
  </section>
  <section style="grid-template-rows: auto 1fr"><label for="result">Answer</label><pre id="result" aria-live="polite"></pre></section>
</main>
<script>
  const $ = (id) => document.getElementById(id);
  $('key').value = localStorage.getItem('paygate-key') || '';
  $('key').addEventListener('change', () => localStorage.setItem('paygate-key', $('key').value.trim()));
  async function run() {
    let variables;
    try { variables = JSON.parse($('variables').value || '{}'); } catch (e) { $('result').textContent = 'Variables are not JSON: ' + e.message; return; }
    $('result').textContent = '…';
    const headers = { 'content-type': 'application/json' };
    if ($('key').value.trim()) headers['api-key'] = $('key').value.trim();
    const res = await fetch(location.pathname, { method: 'POST', headers, body: JSON.stringify({ query: $('query').value, variables }) });
    $('result').textContent = 'HTTP ' + res.status + '\\n' + JSON.stringify(await res.json().catch(() => null), null, 2);
  }
  $('run').addEventListener('click', run);
  document.addEventListener('keydown', (e) => { if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') run(); });
</script></body></html>`;

/** A browser asking for /graphql (no query, HTML accepted) gets the explorer instead of Apollo. */
export function registerExplorer(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'GET' || request.url !== '/graphql') return;
    if (!String(request.headers.accept ?? '').includes('text/html')) return;
    return reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'")
      .send(PAGE);
  });
}
