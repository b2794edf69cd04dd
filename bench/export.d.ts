// Types of bench/export.js for the TypeScript that calls it (its dry run in test/integration/exports.test.ts).
export interface ExportMeasurement {
  status: number;
  rows: number;
  bytes: number;
  seconds: number;
  rowsPerSec: number | null;
  rssMb: { before: number | null; peak: number | null; after: number | null };
  ok: boolean;
}
export function benchExport(options: { url: string; token: string; pid: number; filter?: Record<string, unknown>; expectRows?: number; sampleEveryMs?: number }): Promise<ExportMeasurement>;
export function rssMb(pid: number): number | null;
