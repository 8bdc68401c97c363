import { AsyncLocalStorage } from "node:async_hooks";
import { type Logger, withRequestId } from "@loans/shared";
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
 * the other (scoreWaiting's client locks).
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
  const stopping = new AbortController();
  // `wake` is called inside an intake request; fetches run outside it, or the decisions' log lines and
  // outbox rows would take that request's id when their application came with none.
  const outsideRequests = AsyncLocalStorage.snapshot();
  let pollTimer: NodeJS.Timeout | undefined;
  const delayTimers = new Set<NodeJS.Timeout>();
  let lastDelayTimerAt = 0;
  let running: Promise<void> | undefined;
  let again = false;
  // After a failed fetch only the poll tries again: a wake (every intake) must not hammer a database
  // that just failed, nor retry a batch that cannot be scored over and over.
  let resting = false;

  const decided = ({ agreementId, decision, requestId }: Decided) =>
    withRequestId(requestId, () => {
      deps.countDecision?.(decision);
      log.info("application decided", {
        agreementId,
        result: decision.result,
        reasons: decision.reasons.map((r) => r.code),
      });
    });

  /** Fetches until a fetch finds less than a full batch, a wake during a fetch making it go round again. */
  const drain = async () => {
    do {
      again = false;
      try {
        const { taken, decided: made } = await scoreWaiting(scoring, { delayMs, limit: BATCH_SIZE });
        for (const d of made) decided(d);
        // A full batch suggests more are waiting.
        if (taken === BATCH_SIZE) again = true;
      } catch (err) {
        // Rolled back: its applications are still IN_PROGRESS and the next poll takes them again.
        if (!stopping.signal.aborted) log.warn("scoring failed; left to the next poll", { err });
        resting = true;
        return;
      }
    } while (again && !stopping.signal.aborted);
  };

  const fetch = () => {
    if (stopping.signal.aborted) return;
    if (running) {
      again = true;
      return;
    }
    running = outsideRequests(() => drain()).finally(() => {
      running = undefined;
    });
  };

  /** With SCORING_DELAY_MS, a fetch once the delay of what was just received has passed. */
  const afterDelay = () => {
    const now = Date.now();
    // The timer set less than the slack ago fires late enough for this wake's applications too.
    if (now - lastDelayTimerAt < DELAY_SLACK_MS) return;
    lastDelayTimerAt = now;
    const timer = setTimeout(() => {
      delayTimers.delete(timer);
      if (!resting) fetch();
    }, delayMs + DELAY_SLACK_MS);
    timer.unref();
    delayTimers.add(timer);
  };

  const wake = () => {
    if (stopping.signal.aborted) return;
    // What was just received is not due before its delay: nothing to fetch now.
    if (delayMs > 0) return afterDelay();
    if (!resting) fetch();
  };

  return {
    async start() {
      pollTimer = setInterval(() => {
        resting = false;
        fetch();
      }, POLL_MS);
      pollTimer.unref();
      fetch();
    },
    wake,
    async stop() {
      stopping.abort();
      clearInterval(pollTimer);
      for (const timer of delayTimers) clearTimeout(timer);
      delayTimers.clear();
      await running;
    },
  };
}
