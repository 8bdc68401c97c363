import { AsyncLocalStorage } from "node:async_hooks";
import { type Logger, withRequestId } from "@loans/shared";
import { DrainLoop } from "@loans/shared/kit/drain-loop";
import type { Kysely } from "kysely";
import type { OriginationConfig } from "../config.ts";
import type { OriginationDB } from "../db.ts";
import type { DecisionCounter } from "./scoring.metrics.ts";
import { type Decided, type ScoringDeps, scoreWaiting, thresholdsFrom } from "./scoring.service.ts";

/** Applications taken per fetch, scored together in one transaction (scoreWaiting). */
const BATCH_SIZE = 100;
/**
 * The safety net's pace. New applications do not wait for it (`wake` fetches at once); it takes what a
 * wake missed: applications another instance received, those a failed batch or a killed process left,
 * those whose SCORING_DELAY_MS ran out.
 */
const POLL_MS = 2_000;
/** Wakes less than this apart share one timer for their SCORING_DELAY_MS; it fires this much later. */
const DELAY_SLACK_MS = 50;

export interface ScoringWorkerDeps {
  db: Kysely<OriginationDB>;
  config: OriginationConfig;
  log: Logger;
  /** Counts each decision made (scoring.metrics.ts). */
  countDecision?: DecisionCounter;
  /** Called after a decision and its outbox row have committed (the relay's `wake`); a no-op by default. */
  afterCommit?: () => void;
  clock?: () => Date;
}

export interface ScoringWorker {
  /** Starts polling, and fetches at once what is waiting (what a stopped or killed process left). */
  start(): Promise<void>;
  /**
   * Fetches now instead of at the next poll: called right after an intake that opened applications
   * commits (with SCORING_DELAY_MS, once that delay has passed). Calls coalesce: one during a fetch makes
   * the worker fetch again straight after, never twice at once.
   */
  wake(): void;
  /** Stops fetching and waits for the batch in hand to commit or roll back. */
  stop(): Promise<void>;
}

/**
 * Scores IN_PROGRESS applications straight from the applications table, the table being the queue: the
 * design note's Origination-2, "a process that works on IN_PROGRESS statuses". There is no job to lose:
 * an application is waiting as long as it is IN_PROGRESS, so after a SIGKILL or a failed batch nothing is
 * lost, and the next fetch (this instance's poll, or another instance's) takes it up. Instances on one
 * database skip each other's rows (claimWaiting), and a client's applications are still scored one after
 * the other (scoreWaiting's client locks). The schedule is a drain loop's (kit/drain-loop.ts), one batch
 * at a time; after a failed batch it pauses until the next poll.
 */
export function createScoringWorker(deps: ScoringWorkerDeps): ScoringWorker {
  const { config, log } = deps;
  const scoring: ScoringDeps = {
    db: deps.db,
    thresholds: thresholdsFrom(config),
    afterCommit: deps.afterCommit ?? (() => {}),
    ...(deps.clock && { clock: deps.clock }),
  };
  const delayMs = config.SCORING_DELAY_MS;
  // `wake` is called inside an intake request; fetches run outside it, or the decisions' log lines and
  // outbox rows would take that request's id when their application came with none.
  const outsideRequests = AsyncLocalStorage.snapshot();
  const loop = new DrainLoop({
    step: () => outsideRequests(() => scoreBatch(scoring, delayMs, deps)),
    // No pauseMs: after a failed batch only the poll tries again. A wake (every intake) must not hammer a
    // database that just failed, nor retry a batch that cannot be scored over and over.
    sweepEveryMs: POLL_MS,
    onError: (err) => {
      // Rolled back: its applications are still IN_PROGRESS and the next poll takes them again.
      if (loop.running) log.warn("scoring failed; left to the next poll", { err });
    },
  });
  const delayed = delayedWakes(delayMs, () => loop.wake());

  return {
    async start() {
      loop.start();
      loop.wake();
    },
    wake() {
      if (!loop.running) return;
      // What was just received is not due before its delay: nothing to fetch now.
      if (delayMs > 0) delayed.schedule();
      else loop.wake();
    },
    async stop() {
      const stopped = loop.stop();
      delayed.clear();
      await stopped;
    },
  };
}

/** One fetch: a full batch suggests more are waiting. */
async function scoreBatch(scoring: ScoringDeps, delayMs: number, deps: ScoringWorkerDeps) {
  const { taken, decided } = await scoreWaiting(scoring, { delayMs, limit: BATCH_SIZE });
  for (const d of decided) logDecision(d, deps);
  return { claimed: taken, full: taken === BATCH_SIZE };
}

function logDecision({ agreementId, decision, requestId }: Decided, deps: ScoringWorkerDeps): void {
  withRequestId(requestId, () => {
    deps.countDecision?.(decision);
    deps.log.info("application decided", {
      agreementId,
      result: decision.result,
      reasons: decision.reasons.map((r) => r.code),
    });
  });
}

/** With SCORING_DELAY_MS, a wake once the delay of what was just received has passed. */
function delayedWakes(delayMs: number, wake: () => void) {
  const timers = new Set<NodeJS.Timeout>();
  let lastAt = 0;
  return {
    schedule() {
      const now = Date.now();
      // The timer set less than the slack ago fires late enough for this wake's applications too.
      if (now - lastAt < DELAY_SLACK_MS) return;
      lastAt = now;
      const timer = setTimeout(() => {
        timers.delete(timer);
        wake();
      }, delayMs + DELAY_SLACK_MS);
      timer.unref();
      timers.add(timer);
    },
    clear() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
