// Prisma 7 CLI config: used for `prisma generate` only. Migrations run through scripts/db.js
// (Prisma 6.19's WebAssembly schema engine), because Prisma 7's migrate needs a native engine
// that cannot be downloaded on our build machines. See CONTRIBUTING.md.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/paygate' },
});
