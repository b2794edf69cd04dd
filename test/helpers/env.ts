// Where the tests find Postgres and Redis (the real services, never mocks).
export const PG_BASE = process.env.TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const TEMPLATE_DB = 'paygate_test_template';
/** A fixed key so a test can open what the app sealed. */
export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');

export const dbUrl = (name: string) => `${PG_BASE}/${name}`;
