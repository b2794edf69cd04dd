// Once per test run, at the end: drop the databases this run made (see env.ts, runId).
import { Client } from 'pg';
import { PG_BASE, runDatabasePrefix } from './env';

export default async function globalTeardown(): Promise<void> {
  const run = process.env.PAYGATE_TEST_RUN;
  if (!run) return;
  const admin = new Client({ connectionString: `${PG_BASE}/postgres` });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [runDatabasePrefix(run)]);
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
