/**
 * LIVE moves real money, TEST is its sandbox twin. The same values as Prisma's enum, named here so
 * that the pure domain does not import the generated client.
 */
export type Environment = 'LIVE' | 'TEST';
