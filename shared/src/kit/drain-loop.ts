/**
 * The drain loop under every long-lived worker (the outbox relay, the bank worker, scoring): wakes come
 * in, batches go out. A wake is anything that says work may be due: a local commit, a NOTIFY, a sweep
 * tick, a retry timer. The worker supplies one `step` (claim → work → record is its business) and the
 * loop only schedules: how many steps run side by side, when one more claim is worth it, when to rest.
 *
 * Modes:
 * - new: not started; wakes are not heard, a caller may drain (drainOnce).
 * - idle: no loop runs; a wake starts one.
 * - draining: loops run; a wake during a batch makes a loop claim again right after it (`requested`),
 *   and starts a second loop only beside a batch in flight longer than `slowBatchMs`.
 * - backlog: the last batch came back full; loops run side by side, up to `concurrency`.
 * - paused: a step failed; nothing is claimed until the pause is over (`pauseMs`, or the next sweep tick).
 * - stopped: nothing starts any more; `stop()` waits for the batches in flight.
 *
 * Events: start, wake, drain (a caller's drainOnce), a batch done (full; short but `more` or requested;
 * short, ending its loop with others running; short, ending the last loop: drained), failed, timer
 * (the pause is over), stop.
 */

export type DrainMode = "new" | "idle" | "draining" | "backlog" | "paused" | "stopped";
export type DrainEvent =
  | "start"
  | "wake"
  | "drain"
  | "full"
  | "more"
  | "short"
  | "drained"
  | "failed"
  | "timer"
  | "stop";
export type DrainEffect = "request" | "startLoop" | "addLoop" | "armPause" | "armSweep" | "disarm";

export interface Transition {
  from: DrainMode;
  on: DrainEvent;
  to: DrainMode;
  effects: readonly DrainEffect[];
  /** The loop that reported the event (for `drain`, the caller's) claims a batch (again). */
  claim?: true;
}

/**
 * Every move the loop makes. An event with no row leaves the mode as it is and does nothing; a loop that
 * reported it ends. Effects: `request` notes a wake for the loops that run; `startLoop` starts a loop when
 * none runs or beside a slow batch; `addLoop` starts one more; both stay within `concurrency` and take
 * the request with them (the new loop claims after the wake).
 */
export const TRANSITIONS: readonly Transition[] = [
  { from: "new", on: "start", to: "idle", effects: ["armSweep"] },
  { from: "new", on: "drain", to: "new", effects: [], claim: true },
  { from: "new", on: "full", to: "new", effects: [], claim: true },
  { from: "new", on: "more", to: "new", effects: [], claim: true },
  { from: "new", on: "stop", to: "stopped", effects: ["disarm"] },

  { from: "idle", on: "wake", to: "draining", effects: ["startLoop"] },
  { from: "idle", on: "drain", to: "draining", effects: [], claim: true },
  // A caller's loop from before start goes on like any other.
  { from: "idle", on: "full", to: "backlog", effects: ["addLoop"], claim: true },
  { from: "idle", on: "more", to: "draining", effects: [], claim: true },
  { from: "idle", on: "stop", to: "stopped", effects: ["disarm"] },

  { from: "draining", on: "wake", to: "draining", effects: ["request", "startLoop"] },
  { from: "draining", on: "drain", to: "draining", effects: [], claim: true },
  { from: "draining", on: "full", to: "backlog", effects: ["addLoop"], claim: true },
  { from: "draining", on: "more", to: "draining", effects: [], claim: true },
  { from: "draining", on: "short", to: "draining", effects: [] },
  { from: "draining", on: "drained", to: "idle", effects: [] },
  { from: "draining", on: "failed", to: "paused", effects: ["armPause"] },
  { from: "draining", on: "stop", to: "stopped", effects: ["disarm"] },

  { from: "backlog", on: "wake", to: "backlog", effects: ["request", "addLoop"] },
  { from: "backlog", on: "drain", to: "backlog", effects: [], claim: true },
  { from: "backlog", on: "full", to: "backlog", effects: ["addLoop"], claim: true },
  { from: "backlog", on: "more", to: "draining", effects: [], claim: true },
  { from: "backlog", on: "short", to: "draining", effects: [] },
  { from: "backlog", on: "drained", to: "idle", effects: [] },
  { from: "backlog", on: "failed", to: "paused", effects: ["armPause"] },
  { from: "backlog", on: "stop", to: "stopped", effects: ["disarm"] },

  // Do not spin against a database that is down: the pause's end wakes anyway, so a wake adds nothing.
  { from: "paused", on: "wake", to: "paused", effects: [] },
  { from: "paused", on: "drain", to: "paused", effects: [], claim: true },
  // A batch that was in flight when another failed ends its loop: the pause holds for every loop.
  { from: "paused", on: "full", to: "paused", effects: [] },
  { from: "paused", on: "more", to: "paused", effects: [] },
  { from: "paused", on: "failed", to: "paused", effects: ["armPause"] },
  { from: "paused", on: "timer", to: "draining", effects: ["request", "startLoop"] },
  { from: "paused", on: "stop", to: "stopped", effects: ["disarm"] },
];

/** What one step did: how many it claimed, whether the batch was full, whether it knows more is due now. */
export interface DrainResult {
  claimed: number;
  full: boolean;
  more?: boolean;
}

/** The clock and the timers, injected so that a fake clock can drive the loop. */
export interface DrainTimers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface DrainLoopOptions {
  /** One batch: claim, work, record. Its errors pause the loop. */
  step(): Promise<DrainResult>;
  /** Loops at most at once; default 1. */
  concurrency?: number;
  /** A batch in flight this long lets a wake start another loop beside it; default never. */
  slowBatchMs?: number;
  /** How long a failed step pauses the loop; without it, until the next sweep tick. */
  pauseMs?: number;
  /** A wake every this many ms. */
  sweepEveryMs?: number;
  /** A failed step of a loop started by a wake (a caller's drainOnce gets its own error instead). */
  onError?: (err: unknown) => void;
  timers?: DrainTimers;
}

const realTimers: DrainTimers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

const ROWS = new Map(TRANSITIONS.map((t) => [`${t.from} ${t.on}`, t]));

export class DrainLoop {
  #mode: DrainMode = "new";
  /** A wake came while loops ran: one of them claims again after its batch. */
  #requested = false;
  #active = 0;
  /** When each batch in flight started. */
  readonly #batches = new Set<{ at: number }>();
  readonly #loops = new Set<Promise<unknown>>();
  #sweepTimer: unknown;
  #pauseTimer: unknown;
  readonly #options: DrainLoopOptions;
  readonly #timers: DrainTimers;
  readonly #effects: Record<DrainEffect, () => void> = {
    request: () => {
      this.#requested = true;
    },
    startLoop: () => {
      if (this.#active === 0 || this.#slowBatchInFlight()) this.#spawn();
    },
    addLoop: () => this.#spawn(),
    armPause: () => this.#armPause(),
    armSweep: () => this.#armSweep(),
    disarm: () => this.#disarm(),
  };

  constructor(options: DrainLoopOptions) {
    if (options.pauseMs === undefined && options.sweepEveryMs === undefined) {
      throw new Error("a drain loop without pauseMs needs sweepEveryMs: its pause lasts until the next sweep");
    }
    this.#options = options;
    this.#timers = options.timers ?? realTimers;
  }

  get mode(): DrainMode {
    return this.#mode;
  }

  /** Started and not stopped. */
  get running(): boolean {
    return this.#mode !== "new" && this.#mode !== "stopped";
  }

  start(): void {
    this.#dispatch("start");
  }

  /** Cheap; many wakes while loops run coalesce into one more claim. */
  wake(): void {
    this.#dispatch("wake");
  }

  /** Drains now until a batch comes back short; resolves to how many were claimed. Errors go to the caller. */
  drainOnce(): Promise<number> {
    if (!this.#dispatch("drain")) return Promise.resolve(0);
    return this.#track(this.#run());
  }

  /** Starts nothing more, at once; resolves once the batches in flight are done. */
  stop(): Promise<void> {
    this.#dispatch("stop");
    return Promise.allSettled([...this.#loops]).then(() => {});
  }

  /** The one place the mode changes. Answers whether the loop that reported the event claims next. */
  #dispatch(event: DrainEvent): boolean {
    const row = ROWS.get(`${this.#mode} ${event}`);
    if (!row) return false;
    this.#setMode(row.to);
    for (const effect of row.effects) this.#effects[effect]();
    return row.claim === true;
  }

  #setMode(mode: DrainMode): void {
    this.#mode = mode;
  }

  /** Claims batch after batch for as long as the table says so. */
  async #run(): Promise<number> {
    let handled = 0;
    this.#active++;
    try {
      for (;;) {
        const result = await this.#batch();
        handled += result.claimed;
        if (!this.#dispatch(this.#outcome(result))) return handled;
      }
    } catch (err) {
      this.#dispatch("failed");
      throw err;
    } finally {
      this.#active--;
    }
  }

  /** Clears the request just before the claim: the claim sees every commit before it, so no wake is lost. */
  async #batch(): Promise<DrainResult> {
    this.#requested = false;
    const started = { at: this.#timers.now() };
    this.#batches.add(started);
    try {
      return await this.#options.step();
    } finally {
      this.#batches.delete(started);
    }
  }

  #outcome(result: DrainResult): DrainEvent {
    if (result.full) return "full";
    if (result.more || this.#requested) return "more";
    return this.#active > 1 ? "short" : "drained";
  }

  #spawn(): void {
    if (this.#active >= (this.#options.concurrency ?? 1)) return;
    this.#requested = false;
    void this.#track(this.#run()).catch((err) => this.#options.onError?.(err));
  }

  #track<T>(loop: Promise<T>): Promise<T> {
    this.#loops.add(loop);
    void loop.finally(() => this.#loops.delete(loop)).catch(() => {});
    return loop;
  }

  #slowBatchInFlight(): boolean {
    const { slowBatchMs } = this.#options;
    if (slowBatchMs === undefined) return false;
    const now = this.#timers.now();
    for (const b of this.#batches) if (now - b.at >= slowBatchMs) return true;
    return false;
  }

  #armPause(): void {
    const { pauseMs } = this.#options;
    if (pauseMs === undefined) return;
    this.#timers.clearTimeout(this.#pauseTimer);
    this.#pauseTimer = this.#timers.setTimeout(() => this.#dispatch("timer"), pauseMs);
  }

  /** Each tick is a wake, or the end of a pause that lasts until the next tick. */
  #armSweep(): void {
    const { sweepEveryMs } = this.#options;
    if (sweepEveryMs === undefined) return;
    this.#sweepTimer = this.#timers.setTimeout(() => {
      this.#armSweep();
      const pauseEnds = this.#mode === "paused" && this.#options.pauseMs === undefined;
      this.#dispatch(pauseEnds ? "timer" : "wake");
    }, sweepEveryMs);
  }

  #disarm(): void {
    this.#timers.clearTimeout(this.#sweepTimer);
    this.#timers.clearTimeout(this.#pauseTimer);
  }
}
