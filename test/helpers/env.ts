// Where the tests find Postgres and Redis (the real services, never mocks): TEST_PG_URL and
// TEST_REDIS_URL, defaulting to this machine's.
export const PG_BASE = process.env.TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** A fixed key so a test can open what the app sealed. */
export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');

export const dbUrl = (name: string) => `${PG_BASE}/${name}`;

/**
 * This run's name (global-setup sets it; the workers inherit it): every database a run makes
 * carries it, so two runs on one machine never drop each other's, and teardown drops its own.
 */
export const runId = () => process.env.PAYGATE_TEST_RUN ?? `p${process.pid}`;
export const runDatabasePrefix = (run = runId()) => `paygate_t_${run}_`;
/** The migrated template every test database is cloned from; named by the migrations it holds. */
export const templateDb = () => process.env.PAYGATE_TEST_TEMPLATE ?? 'paygate_test_template';
/** One test file's database name (Postgres keeps 63 characters of a name). */
export const testDbName = (label: string) =>
  `${runDatabasePrefix()}${process.env.JEST_WORKER_ID ?? '0'}_${label.replace(/\W/g, '').toLowerCase().slice(0, 30)}`;
