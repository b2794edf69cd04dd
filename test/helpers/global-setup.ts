// Once per test run: compile (CLI and process tests run the built code), name the run, and
// prepare the migrated template database that every test file clones.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { dbUrl, PG_BASE } from './env';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const db = require('../../scripts/db.js');
const ROOT = path.resolve(__dirname, '../..');

function migrationsChecksum(): string {
  const hash = createHash('sha256');
  for (const name of db.migrationNames() as string[]) {
    hash.update(name).update(readFileSync(path.join(ROOT, 'prisma/migrations', name, 'migration.sql')));
  }
  return hash.digest('hex').slice(0, 16);
}

export default async function globalSetup(): Promise<void> {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });

  process.env.PAYGATE_TEST_RUN ??= randomBytes(3).toString('hex');
  const checksum = migrationsChecksum();
  // Named by its migrations: runs of different checkouts on one machine keep their own.
  const template = `paygate_tpl_${checksum}`;
  process.env.PAYGATE_TEST_TEMPLATE = template;
  const admin = new Client({ connectionString: `${PG_BASE}/postgres` });
  await admin.connect();
  try {
    // Two runs starting at once: one migrates the template, the other waits for it.
    await admin.query('SELECT pg_advisory_lock(727275)');
    const { rows } = await admin.query('SELECT shobj_description(oid, \'pg_database\') AS comment FROM pg_database WHERE datname = $1', [template]);
    if (rows[0]?.comment === 'migrated') return;
    await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await db.migrate(dbUrl(template), { quiet: true });
    await admin.query(`COMMENT ON DATABASE ${template} IS 'migrated'`);
  } finally {
    await admin.query('SELECT pg_advisory_unlock(727275)').catch(() => undefined);
    await admin.end();
  }
}
