// Once per test run: compile (CLI and process tests run the built code) and prepare a migrated
// template database that every test file clones.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { dbUrl, PG_BASE, TEMPLATE_DB } from './env';

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

  const checksum = `migrations:${migrationsChecksum()}`;
  const admin = new Client({ connectionString: `${PG_BASE}/postgres` });
  await admin.connect();
  try {
    const { rows } = await admin.query(
      'SELECT shobj_description(oid, \'pg_database\') AS comment FROM pg_database WHERE datname = $1',
      [TEMPLATE_DB],
    );
    if (rows[0]?.comment === checksum) return;
    await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
    await db.migrate(dbUrl(TEMPLATE_DB), { quiet: true });
    await admin.query(`COMMENT ON DATABASE ${TEMPLATE_DB} IS '${checksum}'`);
  } finally {
    await admin.end();
  }
}
