export interface BackoffPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * Delay before the next try after `attempts` failed ones: exponential with full jitter and a cap
 * (AWS Architecture Blog, "Exponential Backoff And Jitter"). Full jitter spreads the retries of a batch
 * that failed together, so they do not hit a recovering peer at the same instant.
 * `random` returns a number in [0, 1), like Math.random.
 */
export function backoffDelayMs(attempts: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  return Math.floor(random() * ceilingMs(attempts, policy));
}

/** The upper bound full jitter draws below: base · 2^(attempts-1), capped. */
export function ceilingMs(attempts: number, { baseDelayMs, maxDelayMs }: BackoffPolicy): number {
  const n = Math.max(1, Math.floor(attempts));
  // 2^n overflows to Infinity for large n, which the cap absorbs; no loop, no precision loss below it.
  return Math.min(maxDelayMs, baseDelayMs * 2 ** (n - 1));
}

/** Expected time from the first failure until the last of `maxAttempts` tries: what "retry for a day" means. */
export function expectedRetryWindowMs(maxAttempts: number, policy: BackoffPolicy): number {
  let total = 0;
  for (let a = 1; a < maxAttempts; a++) total += ceilingMs(a, policy) / 2;
  return total;
}
