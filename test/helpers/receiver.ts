// A partner's webhook receiver on loopback. It verifies every request with the `standardwebhooks`
// package, as a partner would, and answers as each test scripts it.
import http from 'node:http';
import { Webhook } from 'standardwebhooks';

export interface Received {
  path: string;
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  json: any;
}

export type Behaviour = (count: number, req: Received) => { status: number; body?: string } | 'hang';

export class Receiver {
  readonly received: Received[] = [];
  private readonly behaviours = new Map<string, Behaviour>();
  private readonly counts = new Map<string, number>();
  private server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const r: Received = {
        path, body, json: JSON.parse(body || 'null'),
        id: String(req.headers['webhook-id']), timestamp: String(req.headers['webhook-timestamp']), signature: String(req.headers['webhook-signature']),
      };
      this.received.push(r);
      const count = (this.counts.get(path) ?? 0) + 1;
      this.counts.set(path, count);
      const behaviour: Behaviour = this.behaviours.get(path) ?? (() => ({ status: 204 }));
      const answer = behaviour(count, r);
      if (answer === 'hang') return; // never answers
      res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.body ?? '');
    });
  });
  url = '';

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  on(path: string, behaviour: Behaviour): string {
    this.behaviours.set(path, behaviour);
    return `${this.url}${path}`;
  }

  at(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  /** Verifies with standardwebhooks: throws when no signature matches this secret. */
  static verify(secret: string, r: Received): unknown {
    return new Webhook(secret).verify(r.body, { 'webhook-id': r.id, 'webhook-timestamp': r.timestamp, 'webhook-signature': r.signature });
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
