/** Polls until `ok` holds (for effects that land asynchronously, e.g. a worker's credit). */
export async function waitFor<T>(fn: () => Promise<T>, ok: (v: T) => boolean, { timeoutMs = 10_000, everyMs = 50 } = {}): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    try {
      last = await fn();
      if (ok(last)) return last;
    } catch {
      // not yet
    }
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
