import { Client } from 'pg';
import { dbUrl, PG_BASE, templateDb, testDbName } from './env';

/** A fresh, migrated database for one test file (a clone of the template: milliseconds). */
export async function createTestDatabase(label: string): Promise<string> {
  const name = testDbName(label);
  const admin = new Client({ connectionString: `${PG_BASE}/postgres` });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    // Two workers cloning at once would trip over each other on the template: take turns.
    await admin.query('SELECT pg_advisory_lock(727274)');
    try {
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${templateDb()}`);
    } finally {
      await admin.query('SELECT pg_advisory_unlock(727274)');
    }
  } finally {
    await admin.end();
  }
  return dbUrl(name);
}
