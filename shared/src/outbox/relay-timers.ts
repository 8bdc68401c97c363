/**
 * The relay's timers beside its drain loop: a wake for the soonest retry, and the probes of failing
 * destinations. Both act only while the relay runs.
 */
import { failingDestinations, releaseProbe, takeProbes } from "./health.ts";
import { claimProbe } from "./probe.ts";
import { type RelayContext, sendAll } from "./relay-step.ts";

/** Retries come due on their own schedule: a wake for the soonest, rather than waiting for the sweep. */
export class RetryTimer {
  #at = Number.POSITIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;
  readonly #wake: () => void;
  readonly #running: () => boolean;

  constructor(wake: () => void, running: () => boolean) {
    this.#wake = wake;
    this.#running = running;
  }

  in(ms: number): void {
    if (!this.#running()) return;
    const at = Date.now() + ms;
    if (at >= this.#at) return;
    clearTimeout(this.#timer);
    this.#at = at;
    this.#timer = setTimeout(() => {
      this.#at = Number.POSITIVE_INFINITY;
      this.#wake();
    }, ms + 5);
    this.#timer.unref();
  }

  clear(): void {
    clearTimeout(this.#timer);
  }
}

/**
 * Every probe interval: which destinations are failing, and for those whose probe this instance wins,
 * one probe request. Its answer, if any, heals the destination (relay-step.ts, noteHealth). One probe
 * round at a time.
 */
export class Prober<DB> {
  #probing = false;
  #timer: NodeJS.Timeout | undefined;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #ctx: RelayContext<DB>;
  readonly #running: () => boolean;

  constructor(ctx: RelayContext<DB>, running: () => boolean) {
    this.#ctx = ctx;
    this.#running = running;
  }

  /** Probes now, and every `probeEveryMs`. */
  start(): void {
    this.#timer = setInterval(() => this.probe(), this.#ctx.options.probeEveryMs);
    this.#timer.unref();
    this.probe();
  }

  probe(): void {
    if (!this.#running() || this.#probing) return;
    this.#probing = true;
    const round = probeRound(this.#ctx)
      .catch((err) => this.#ctx.log.warn("outbox probe failed", { err }))
      .finally(() => {
        this.#probing = false;
        this.#inFlight.delete(round);
      });
    this.#inFlight.add(round);
  }

  clear(): void {
    clearInterval(this.#timer);
  }

  /** Resolves once the probe round in flight, if any, is done. */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.#inFlight]);
  }
}

async function probeRound<DB>(ctx: RelayContext<DB>): Promise<void> {
  const { db, options, table } = ctx;
  const now = await failingDestinations(db, table.destinations);
  ctx.failing.clear();
  for (const d of now) ctx.failing.add(d);
  if (now.length === 0) return;
  const won = await takeProbes(db, now, { leaseMs: options.leaseMs, everyMs: options.probeEveryMs * 0.9 });
  await Promise.all(
    won.map(async (destination) => {
      try {
        const claimed = await claimProbe(db, {
          destination,
          topics: table.topicsOf(destination),
          limit: options.probeBatchSize,
          leaseMs: options.leaseMs,
          maxAttempts: options.maxAttempts,
        });
        await sendAll(ctx, claimed);
      } finally {
        await releaseProbe(db, destination);
      }
    }),
  );
}
