// @ts-check
// The CSV export's measurement for scripts/bench.js: stream GET /exports/payments.csv to the end,
// counting rows and bytes as they arrive (never holding the body), and sample the service's resident
// memory before, during (the peak) and after. A dry run against a test app is in
// test/integration/exports.test.ts.
'use strict';

const fs = require('node:fs');
const { execFileSync } = require('node:child_process');

/**
 * Resident memory of a process in MB (Linux /proc, else ps), or null if it cannot be read.
 * @param {number} pid
 * @returns {number | null}
 */
function rssMb(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status);
    if (kb) return Math.round(Number(kb[1]) / 102.4) / 10;
  } catch {
    // not Linux: ask ps
  }
  try {
    const kb = Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim());
    return Number.isFinite(kb) && kb > 0 ? Math.round(kb / 102.4) / 10 : null;
  } catch {
    return null;
  }
}

/**
 * @param {{ url: string, token: string, pid: number, filter?: Record<string, unknown>, expectRows?: number, sampleEveryMs?: number }} options
 * @returns {Promise<{ status: number, rows: number, bytes: number, seconds: number, rowsPerSec: number | null, rssMb: { before: number | null, peak: number | null, after: number | null }, ok: boolean }>}
 */
async function benchExport({ url, token, pid, filter, expectRows, sampleEveryMs = 50 }) {
  const before = rssMb(pid);
  let peak = before;
  const sample = setInterval(() => {
    const now = rssMb(pid);
    if (now !== null && (peak === null || now > peak)) peak = now;
  }, sampleEveryMs);
  const started = performance.now();
  let status = 0;
  let bytes = 0;
  let lines = 0;
  try {
    const query = filter ? `?filter=${encodeURIComponent(JSON.stringify(filter))}` : '';
    const res = await fetch(`${url}/exports/payments.csv${query}`, { headers: { authorization: `Bearer ${token}` } });
    status = res.status;
    if (res.body) {
      for await (const chunk of /** @type {AsyncIterable<Uint8Array>} */ (/** @type {unknown} */ (res.body))) {
        bytes += chunk.length;
        for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++;
      }
    }
  } finally {
    clearInterval(sample);
  }
  const seconds = (performance.now() - started) / 1000;
  const after = rssMb(pid);
  const rows = Math.max(0, lines - 1); // the header; the bench's payments hold no line breaks
  return {
    status,
    rows,
    bytes,
    seconds: Math.round(seconds * 100) / 100,
    rowsPerSec: seconds > 0 ? Math.round(rows / seconds) : null,
    rssMb: { before, peak: peak === null || after === null ? peak : Math.max(peak, after), after },
    ok: status === 200 && (expectRows === undefined || rows === expectRows),
  };
}

module.exports = { benchExport, rssMb };
