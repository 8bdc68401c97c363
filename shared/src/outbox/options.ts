/** How a relay paces itself. Every field has a default; services override what they must. */
export interface RelayOptions {
  /** Most rows claimed, sent and recorded together (one HTTP request per topic). The receiver takes 1000. */
  batchSize: number;
  /**
   * Attempts before a delivery is marked dead: each claim that sent it while due counts, one cut short by a
   * crash included (the claim after the last marks it dead without sending it).
   */
  maxAttempts: number;
  /** First retry delay; it doubles per attempt up to `maxDelayMs`, and full jitter picks below it. */
  baseDelayMs: number;
  maxDelayMs: number;
  connectTimeoutMs: number;
  /** Bound on one whole request, from sending to the last byte of the answer. */
  requestTimeoutMs: number;
  /**
   * How long a claimed row is hidden from other relays. It must outlast the request, so no row is ever in
   * flight twice; a relay that dies mid-batch has its rows claimed again once the lease runs out. Unset,
   * it follows the timeouts (connect + request + LEASE_SLACK_MS), so a crash costs no more than that.
   */
  leaseMs: number;
  /** The in-process sweep: picks up retries as they come due and anything a lost notification missed. */
  sweepEverySeconds: number;
  /** Delivered rows older than this are purged; dead rows are kept. */
  retentionDays: number;
  /** Drain loops running at once in one process while a backlog lasts. */
  concurrency: number;
  /**
   * While a destination fails, how often one probe goes to it (across all instances, one at a time). Its
   * first answer makes the destination's whole backlog due at once: recovery within about this long.
   */
  probeEveryMs: number;
  /** Deliveries a probe carries (one topic's). */
  probeBatchSize: number;
}

// With a 1 s base, a 5-minute cap and full jitter, a capped retry waits 150 s on average, so 585
// attempts retry for about a day (see expectedRetryWindowMs) before a row goes dead.
export const DEFAULT_RELAY_OPTIONS: Readonly<RelayOptions> = Object.freeze({
  batchSize: 500,
  maxAttempts: 585,
  baseDelayMs: 1_000,
  maxDelayMs: 300_000,
  connectTimeoutMs: 2_000,
  requestTimeoutMs: 10_000,
  leaseMs: 15_000,
  sweepEverySeconds: 1,
  retentionDays: 7,
  concurrency: 3,
  probeEveryMs: 500,
  probeBatchSize: 1,
});

/** What a lease must cover beyond the request: claiming, recording, a slow event loop. */
export const LEASE_MARGIN_MS = 1_000;
/** The default lease's room beyond the request's own bound. */
export const LEASE_SLACK_MS = 3_000;

/** Fills in defaults and refuses settings that would break the relay's guarantees, naming each one. */
export function resolveOptions(partial: Partial<RelayOptions> = {}): Readonly<RelayOptions> {
  const o: RelayOptions = { ...DEFAULT_RELAY_OPTIONS };
  for (const [key, value] of Object.entries(partial)) if (value !== undefined) Object.assign(o, { [key]: value });
  if (partial.leaseMs === undefined) o.leaseMs = o.connectTimeoutMs + o.requestTimeoutMs + LEASE_SLACK_MS;
  const problems: string[] = [];
  const positive = (key: keyof RelayOptions) => {
    if (!(Number.isFinite(o[key]) && o[key] > 0)) problems.push(`${key} must be a positive number`);
  };
  for (const key of Object.keys(DEFAULT_RELAY_OPTIONS) as Array<keyof RelayOptions>) positive(key);
  for (const key of ["batchSize", "maxAttempts", "concurrency", "probeBatchSize"] as const) {
    if (!Number.isInteger(o[key])) problems.push(`${key} must be an integer`);
  }
  if (o.batchSize > 1000) problems.push("batchSize must be at most 1000, the receiver's limit");
  if (o.maxDelayMs < o.baseDelayMs) problems.push("maxDelayMs must not be below baseDelayMs");
  if (o.leaseMs < o.connectTimeoutMs + o.requestTimeoutMs + LEASE_MARGIN_MS) {
    problems.push(
      `leaseMs must be at least connectTimeoutMs + requestTimeoutMs + ${LEASE_MARGIN_MS}, ` +
        "or a slow request could still be in flight when another relay claims its rows",
    );
  }
  if (problems.length > 0) throw new Error(`invalid relay options: ${problems.join("; ")}`);
  return Object.freeze(o);
}
