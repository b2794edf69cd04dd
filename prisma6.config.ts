// Prisma 6.19 CLI config for offline migrations through the WebAssembly schema engine.
// Run it through scripts/db.js, which writes the 6.19-flavoured schema copy first.
import { defineConfig } from 'prisma6/config';
import { PrismaPg } from '@prisma/adapter-pg';

export default defineConfig({
  engine: 'js',
  experimental: { adapter: true },
  schema: 'prisma/.prisma6/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  adapter: async () =>
    new PrismaPg({
      connectionString: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/paygate',
      // the CLI exits only once the pool is idle: do not keep it waiting 10 s
      idleTimeoutMillis: 50,
    }),
});
