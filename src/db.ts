import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client';

export type Db = PrismaClient;
/** The client inside `db.$transaction(async (tx) => …)`. */
export type Tx = Omit<PrismaClient, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;

export function createDb(connectionString: string, poolSize = 10): Db {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString, max: poolSize }) });
}

export { Prisma } from './generated/prisma/client';
