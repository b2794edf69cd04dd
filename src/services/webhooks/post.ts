// One POST to a partner: no redirects followed, a hard timeout, the connect-time address guard,
// and the first 1 KB of the answer kept for the delivery log.
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { guardedLookup, isBlockedAddress } from './ssrf';

export interface PostResult {
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  response: string | null;
}

const MAX_RESPONSE = 1024;

export function postWebhook(
  rawUrl: string,
  headers: Record<string, string>,
  body: string,
  options: { timeoutMs: number; allowPrivate: boolean },
): Promise<PostResult> {
  const started = Date.now();
  const done = (r: Omit<PostResult, 'latencyMs'>): PostResult => ({ ...r, latencyMs: Date.now() - started });
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      return resolve(done({ statusCode: null, error: 'invalid url', response: null }));
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (!options.allowPrivate && isIP(host) && isBlockedAddress(host)) {
      return resolve(done({ statusCode: null, error: `refused to connect to internal address ${host}`, response: null }));
    }
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'Paygate-Webhooks/1.0', ...headers },
      timeout: options.timeoutMs,
      ...(options.allowPrivate ? {} : { lookup: guardedLookup }),
    });
    const timer = setTimeout(() => req.destroy(new Error(`timed out after ${options.timeoutMs} ms`)), options.timeoutMs);
    req.on('timeout', () => req.destroy(new Error(`timed out after ${options.timeoutMs} ms`)));
    req.on('error', (err) => {
      clearTimeout(timer);
      resolve(done({ statusCode: null, error: err.message.slice(0, 1000), response: null }));
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (text.length < MAX_RESPONSE) text += chunk;
      });
      const finish = () => {
        clearTimeout(timer);
        resolve(done({ statusCode: res.statusCode ?? null, error: null, response: text.slice(0, MAX_RESPONSE) }));
      };
      res.on('end', finish);
      res.on('error', finish);
      // a partner streaming forever must not hold us: the timer above ends it
    });
    req.end(body);
  });
}
