import { ConfigError, loadConfig } from '../../src/config';

const KEY = Buffer.alloc(32, 1).toString('base64');

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('has working defaults for every variable (README, Configuration)', () => {
    const c = loadConfig({});
    expect(c.port).toBe(4000);
    expect(c.publicUrl).toBe('http://localhost:4000');
    expect(c.databaseUrl.reveal()).toBe('postgresql://postgres@127.0.0.1:5432/paygate');
    expect(c.redisUrl.reveal()).toBe('redis://127.0.0.1:6379');
    expect(c.gatewayApiUrls.CLOUDPAYMENTS).toBe('https://api.cloudpayments.ru');
    expect(c.gatewayApiUrls.CRYPTOCLOUD).toBe('https://api.cryptocloud.plus');
    expect(c.role).toBe('all');
    expect(c.webhookAllowPrivateUrls).toBe(false);
    expect(c.paymentTtlMs).toBe(30 * 60 * 1000);
    expect(c.rateLimitPerMinute).toBe(6000);
    expect(c.encryption.usingDevelopmentKey).toBe(true);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads every variable', () => {
    const c = loadConfig({
      PORT: '8080', HOST: '127.0.0.1', PUBLIC_URL: 'https://pay.example.com/', PAYGATE_ENCRYPTION_KEY: KEY,
      PAYGATE_ENCRYPTION_OLD_KEYS: `${Buffer.alloc(32, 2).toString('base64')}, ${Buffer.alloc(32, 3).toString('base64')}`,
      PAYGATE_ROLE: 'worker', WEBHOOK_ALLOW_PRIVATE_URLS: 'true', PAYMENT_TTL: '2h', RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'debug',
      CLOUDPAYMENTS_API_URL: 'http://127.0.0.1:9999/', CRYPTOCLOUD_API_URL: 'http://127.0.0.1:9998',
    });
    expect(c.port).toBe(8080);
    expect(c.publicUrl).toBe('https://pay.example.com');
    expect(c.encryption.usingDevelopmentKey).toBe(false);
    expect(c.encryption.key.reveal().equals(Buffer.alloc(32, 1))).toBe(true);
    expect(c.encryption.oldKeys).toHaveLength(2);
    expect(c.role).toBe('worker');
    expect(c.webhookAllowPrivateUrls).toBe(true);
    expect(c.paymentTtlMs).toBe(7_200_000);
    expect(c.rateLimitPerMinute).toBe(0);
    expect(c.gatewayApiUrls.CLOUDPAYMENTS).toBe('http://127.0.0.1:9999');
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PUBLIC_URL', 'ftp://x'],
    ['PAYGATE_ROLE', 'both'],
    ['WEBHOOK_ALLOW_PRIVATE_URLS', 'maybe'],
    ['PAYMENT_TTL', 'soon'],
    ['PAYMENT_TTL', '10s'],
    ['RATE_LIMIT_PER_MINUTE', '-5'],
    ['LOG_LEVEL', 'loud'],
    ['DATABASE_URL', 'mysql://x'],
    ['REDIS_URL', 'http://x'],
    ['CLOUDPAYMENTS_API_URL', 'not a url'],
  ])('a bad %s=%s stops start-up naming the variable', (name, value) => {
    const found = problems({ [name]: value });
    expect(found).toHaveLength(1);
    expect(found[0].startsWith(`${name} `)).toBe(true);
  });

  it('lists every bad variable at once', () => {
    expect(problems({ PORT: 'x', LOG_LEVEL: 'y' }).map((p) => p.split(' ')[0]).sort()).toEqual(['LOG_LEVEL', 'PORT']);
  });

  it('refuses a key that is not 32 bytes and never echoes key material', () => {
    const short = Buffer.alloc(16, 9).toString('base64');
    const found = problems({ PAYGATE_ENCRYPTION_KEY: short, PAYGATE_ENCRYPTION_OLD_KEYS: `${KEY},bad` });
    expect(found.map((p) => p.split(' ')[0]).sort()).toEqual(['PAYGATE_ENCRYPTION_KEY', 'PAYGATE_ENCRYPTION_OLD_KEYS']);
    expect(found.join('\n')).not.toContain(short);
    expect(found.join('\n')).not.toContain(KEY);
  });

  it('turns the SANDBOX gateway off in production unless asked for', () => {
    expect(loadConfig({}).sandboxEnabled).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', PAYGATE_ENCRYPTION_KEY: KEY }).sandboxEnabled).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', PAYGATE_ENCRYPTION_KEY: KEY, SANDBOX_ENABLED: 'true' }).sandboxEnabled).toBe(true);
    expect(loadConfig({ SANDBOX_ENABLED: 'false' }).sandboxEnabled).toBe(false);
  });

  it('requires PAYGATE_ENCRYPTION_KEY in production', () => {
    expect(problems({ NODE_ENV: 'production' })[0]).toMatch(/^PAYGATE_ENCRYPTION_KEY is required/);
    expect(loadConfig({ NODE_ENV: 'production', PAYGATE_ENCRYPTION_KEY: KEY }).env).toBe('production');
  });

  it('never prints secrets when the config is logged or serialised', () => {
    const c = loadConfig({ PAYGATE_ENCRYPTION_KEY: KEY, DATABASE_URL: 'postgresql://u:hunter2@db/paygate' });
    const text = JSON.stringify(c) + require('node:util').inspect(c, { depth: 5 });
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain(KEY);
  });

  it('refuses a source-network allow-list behind "trust every proxy": callers would write their own address', () => {
    expect(problems({ CALLBACK_IP_ALLOWLIST: 'true', TRUST_PROXY: 'true' })).toEqual([expect.stringMatching(/^TRUST_PROXY must list the proxies' addresses/)]);
    expect(loadConfig({ CALLBACK_IP_ALLOWLIST: 'true', TRUST_PROXY: '10.0.0.1' }).callbackIpAllowlist).toBe(true);
  });
});
