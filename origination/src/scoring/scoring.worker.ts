import { setTimeout as sleep } from "node:timers/promises";
import { ensureQueue, type Logger, withRequestId } from "@loans/shared";
import type { Kysely } from "kysely";
import type { Job, PgBoss } from "pg-boss";
import type { OriginationConfig } from "../config.ts";
import type { OriginationDB } from "../db.ts";
import type { Decision } from "./rules.ts";
import type { DecisionCounter } from "./scoring.metrics.ts";
import { SCORING_QUEUE, scoringJobData } from "./scoring.queue.ts";
import { staleInProgress } from "./scoring.repository.ts";
import { type ScoringDeps, scoreApplication, scoreApplications, thresholdsFrom } from "./scoring.service.ts";

/** Jobs taken per fetch, and how many of them are scored at once (same-client ones wait on each other). */
const BATCH_SIZE = 20;
const CONCURRENCY = 4;
/** The safety net's pace; new applications do not wait for it, `wake` fetches at once. */
const POLL_SECONDS = 2;
/**
 * The design note's Origination-2, "a process that works on IN_PROGRESS statuses": every few seconds,
 * applications left undecided for longer than any healthy job takes are scored directly. A job lost
 * with a SIGKILLed process (pg-boss would only expire it after many minutes) then costs seconds.
 */
const SWEEP_EVERY_MS = 5_000;
const STALE_AFTER_MS = 10_000;
const SWEEP_LIMIT = 100;

export interface ScoringWorkerDeps {
  db: Kysely<OriginationDB>;
  boss: PgBoss;
  config: OriginationConfig;
  log: Logger;
  /** Counts each decision made (scoring.metrics.ts). */
  countDecision?: DecisionCounter;
  /** Called after a decision and its outbox row have committed (the relay's `wake`); a no-op by default. */
  afterCommit?: () => void;
  clock?: () => Date;
}

export interface ScoringWorker {
  /** Creates the queue and starts the worker; the queue must exist before any intake sends to it. */
  start(): Promise<void>;
  /**
   * Fetches now instead of at the next poll: called right after an intake that enqueued scoring commits.
   * Calls coalesce: one during a fetch makes the worker fetch again straight after, never twice at once.
   */
  wake(): void;
  /** Stops fetching and cuts a demo delay short; jobs in hand go back to the queue and are retried. */
  stop(): Promise<void>;
}

export function createScoringWorker(deps: ScoringWorkerDeps): ScoringWorker {
  const { boss, config, log } = deps;
  const scoring: ScoringDeps = {
    db: deps.db,
    thresholds: thresholdsFrom(config),
    afterCommit: deps.afterCommit ?? (() => {}),
    ...(deps.clock && { clock: deps.clock }),
  };
  const stopping = new AbortController();
  let workerId: string | undefined;
  let sweepTimer: NodeJS.Timeout | undefined;
  let sweeping = false;

  const sweep = async () => {
    if (sweeping || stopping.signal.aborted) return;
    sweeping = true;
    try {
      const stale = await staleInProgress(deps.db, STALE_AFTER_MS + 2 * config.SCORING_DELAY_MS, SWEEP_LIMIT);
      for (const agreementId of stale) {
        if (stopping.signal.aborted) break;
        const decision = await scoreApplication(scoring, agreementId);
        if (decision) decided(decision, { agreementId, by: "sweep" });
      }
    } catch (err) {
      if (!stopping.signal.aborted) log.warn("scoring sweep failed", { err });
    } finally {
      sweeping = false;
    }
  };

  const decided = (decision: Decision, fields: { agreementId: string; by: "job" | "sweep" }) => {
    deps.countDecision?.(decision);
    log.info("application decided", {
      ...fields,
      result: decision.result,
      reasons: decision.reasons.map((r) => r.code),
    });
  };

  const wake = () => {
    if (workerId && !stopping.signal.aborted) boss.notifyWorker(workerId);
  };

  const scoreJob = async (job: Job<unknown>) => {
    const { agreementId, requestId } = scoringJobData.parse(job.data);
    await withRequestId(requestId, async () => {
      if (config.SCORING_DELAY_MS > 0) await sleep(config.SCORING_DELAY_MS, undefined, { signal: stopping.signal });
      const decision = await scoreApplication(scoring, agreementId);
      if (decision) decided(decision, { agreementId, by: "job" });
    });
  };

  /**
   * The whole batch in one transaction (scoreApplications); true when that worked. Not with a demo delay,
   * which is per job. A failure (a job with bad data, a lost connection) leaves it to the jobs one by one.
   */
  const scoreBatch = async (jobs: Job<unknown>[]) => {
    if (config.SCORING_DELAY_MS > 0) return false;
    const ids: string[] = [];
    const requestIds = new Map<string, string>();
    for (const job of jobs) {
      const data = scoringJobData.safeParse(job.data);
      if (!data.success) return false;
      ids.push(data.data.agreementId);
      if (data.data.requestId) requestIds.set(data.data.agreementId, data.data.requestId);
    }
    try {
      const decisions = await scoreApplications(scoring, ids, requestIds);
      for (const [agreementId, d] of decisions) {
        withRequestId(requestIds.get(agreementId), () => decided(d, { agreementId, by: "job" }));
      }
      return true;
    } catch (err) {
      if (!stopping.signal.aborted) log.warn("batch scoring failed, scoring one by one", { err });
      return false;
    }
  };

  // pg-boss fails or completes a batch as a whole; failing the broken jobs here first keeps one bad job
  // from sending the good ones round again (complete only touches jobs still active).
  const handle = async (jobs: Job<unknown>[]) => {
    const failures = (await scoreBatch(jobs)) ? [] : await settle(jobs, CONCURRENCY, scoreJob);
    for (const f of failures) {
      if (!stopping.signal.aborted) log.warn("scoring failed", { jobId: f.item.id, err: f.error });
      // With the database away this fails too; the job then stays active until pg-boss expires it,
      // and the sweep scores the application long before that.
      await boss.fail(SCORING_QUEUE, f.item.id, { message: String(f.error) }).catch(() => {});
    }
    // A full batch suggests more are waiting: fetch again at once instead of after the poll interval.
    if (jobs.length === BATCH_SIZE) wake();
  };

  return {
    async start() {
      const queue = {
        retryLimit: 20,
        retryDelay: 1,
        retryBackoff: true,
        // A job must outlast its demo delay, or pg-boss would expire it while it sleeps.
        expireInSeconds: 900 + Math.ceil((config.SCORING_DELAY_MS * BATCH_SIZE) / CONCURRENCY / 1000),
      };
      // Two instances starting at once race to create it; ensureQueue takes the loser's deadlock.
      await ensureQueue(boss, SCORING_QUEUE, queue);
      // createQueue leaves an existing queue as it was; this carries changed settings over.
      await boss.updateQueue(SCORING_QUEUE, queue);
      workerId = await boss.work(
        SCORING_QUEUE,
        { batchSize: BATCH_SIZE, pollingIntervalSeconds: POLL_SECONDS },
        handle,
      );
      sweepTimer = setInterval(() => void sweep(), SWEEP_EVERY_MS);
      sweepTimer.unref();
    },
    wake,
    async stop() {
      stopping.abort();
      clearInterval(sweepTimer);
      await boss.offWork(SCORING_QUEUE);
    },
  };
}

/** Runs `fn` over the items, at most `limit` at a time, and reports those that threw. */
async function settle<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<Array<{ item: T; error: unknown }>> {
  const failures: Array<{ item: T; error: unknown }> = [];
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (error) {
        failures.push({ item, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return failures;
}
