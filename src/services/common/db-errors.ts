/** A unique-constraint error: Prisma's (P2002), however the driver adapter wraps it, or pg's own (23505). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string }; meta?: { code?: string; driverAdapterError?: { cause?: { originalCode?: string } } } } | null;
  return e?.code === 'P2002' || e?.code === '23505' || e?.cause?.code === '23505' || e?.meta?.code === '23505'
    || e?.meta?.driverAdapterError?.cause?.originalCode === '23505';
}
