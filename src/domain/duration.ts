const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "30m", "2h", "900s", "1500ms", "1d" or a bare number of seconds → milliseconds; null if malformed. */
export function parseDuration(text: string): number | null {
  const m = /^\s*(\d{1,9})\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!m) return null;
  return Number(m[1]) * UNITS[m[2] ?? 's'];
}
