/**
 * Polls `probe` until it returns something truthy, and returns that. Tests wait for conditions, never
 * for a fixed time; the deadline is generous and only matters when something is broken.
 */
export async function waitFor<T>(
  probe: () => Promise<T> | T,
  opts: { timeoutMs?: number; everyMs?: number; what?: string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v as NonNullable<T>;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${opts.what ?? "a condition"}; last: ${String(last)}`);
    }
    await new Promise((r) => setTimeout(r, opts.everyMs ?? 25));
  }
}
