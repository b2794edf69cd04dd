import { freePort, startTestApp, type TestApp } from '../helpers/app';
import { ownRedis, type OwnRedis } from '../helpers/own-redis';

async function waitFor<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined as T);
    if (v !== undefined && ok(v)) return v;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('/healthz and /readyz', () => {
  let redis: OwnRedis;
  let t: TestApp;

  beforeAll(async () => {
    redis = await ownRedis(); // so the test can stop it
    t = await startTestApp('readyz', { REDIS_URL: redis.url });
  });
  afterAll(async () => {
    await redis.kill();
    await t.close();
  });

  const readyz = async () => {
    const res = await fetch(`${t.url}/readyz`);
    return { status: res.status, body: (await res.json()) as any };
  };

  it('reports ready when Postgres and Redis answer', async () => {
    const res = await waitFor(readyz, (r) => r.status === 200);
    expect(res.body).toEqual({ status: 'ready', checks: { postgres: 'up', redis: 'up' } });
    expect(await (await fetch(`${t.url}/healthz`)).json()).toEqual({ status: 'ok' });
  });

  it('reports a stopped Redis, and recovers when it is back', async () => {
    await redis.kill();
    const down = await waitFor(readyz, (r) => r.status === 503);
    expect(down.body).toEqual({ status: 'unavailable', checks: { postgres: 'up', redis: 'down' } });
    // still alive while a dependency is down
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    await redis.start();
    expect((await waitFor(readyz, (r) => r.status === 200, 20_000)).body.checks.redis).toBe('up');
  });

  it('reports an unreachable Postgres', async () => {
    const pgPort = await freePort();
    const broken = await startTestApp('readyz_pg', { DATABASE_URL: `postgresql://postgres@127.0.0.1:${pgPort}/paygate` });
    try {
      const res = await fetch(`${broken.url}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'unavailable', checks: { postgres: 'down', redis: 'up' } });
    } finally {
      await broken.close();
    }
  });
});
