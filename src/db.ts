import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { PrismaClient } from './generated/prisma/client';

export type Db = PrismaClient;
/** The client inside `db.$transaction(async (tx) => …)`. */
export type Tx = Omit<PrismaClient, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;

/**
 * One pool per process, shared by Prisma and by the few hot-path reads that skip Prisma's runtime
 * (the API key lookup, payment(id)): the same connections, the same limit.
 */
export function createPool(connectionString: string, poolSize = 10): Pool {
  return new Pool({ connectionString, max: poolSize });
}

export function createDb(pool: Pool | string, poolSize = 10): Db {
  return new PrismaClient({ adapter: new PrismaPg(typeof pool === 'string' ? { connectionString: pool, max: poolSize } : pool) });
}

export { Prisma } from './generated/prisma/client';
