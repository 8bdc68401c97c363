import { ensureQueue } from "@loans/shared";
import { DrainLoop } from "@loans/shared/kit/drain-loop";
import type { PgBoss } from "pg-boss";
import { type Driving, drive, driveOrWarn, type MovementKind, type MovementRow, sweep } from "./drive.ts";

export type { MovementKind, MovementRow };

const SWEEP_EVERY_MS = 500;
const BATCH_SIZE = 50;

/** What driving a row needs (drive.ts), and the pg-boss instance whose jobs start each row. */
export type BankWorkerDeps<Row extends MovementRow> = Omit<Driving<Row>, "stopped"> & { boss: PgBoss };

export interface BankWorker {
  start(): Promise<void>;
  /** Fetches new jobs now rather than at the next poll: called after an intake commits. */
  wake(): void;
  stop(): Promise<void>;
  /** Drives one row until it is final or its next look is far off. */
  drive(id: string): Promise<void>;
}

/**
 * PG's bank worker (LIFECYCLE §2.2 step 3, §2.3, §8.8), one per kind of movement: submits each row with
 * its id as the transfer id, notes when the bank accepted it, polls until the bank settles or refuses it,
 * and then writes the final status (and its outbox row) in one transaction. An unknown outcome
 * (BankUnavailable) changes nothing but the time of the next look: a row the bank may not hold is
 * submitted again with the same id, an accepted one polled again, never FAILED. A pg-boss job starts
 * each row; a sweep every half second takes every open row whose next look is due, so a job lost with a
 * killed process costs only that. The sweep is the step of a drain loop (kit/drain-loop.ts) that the half
 * second's tick wakes.
 */
export function createBankWorker<Row extends MovementRow>(deps: BankWorkerDeps<Row>): BankWorker {
  const { boss, log, kind } = deps;
  const stopping = new AbortController();
  const ctx: Driving<Row> = { ...deps, stopped: stopping.signal };
  const loop = new DrainLoop({
    step: () => sweep(ctx),
    sweepEveryMs: SWEEP_EVERY_MS,
    // A failed sweep waits for the next tick (no pauseMs), like any other.
    onError: (err) => {
      if (!stopping.signal.aborted) log.warn(`${kind.what} sweep failed`, { err });
    },
  });
  let workerId: string | undefined;

  return {
    async start() {
      const queue = { retryLimit: 20, retryDelay: 1, retryBackoff: true, expireInSeconds: 900 };
      await ensureQueue(boss, kind.queue, queue);
      await boss.updateQueue(kind.queue, queue);
      workerId = await boss.work(kind.queue, { batchSize: BATCH_SIZE, pollingIntervalSeconds: 2 }, async (jobs) => {
        // A step that fails (the database away) leaves the row to the sweep; the job itself is done.
        await Promise.all(
          jobs.map(async (job) => {
            const id = kind.jobId(job.data);
            if (!id) return log.warn(`${kind.what} job with bad data`, { jobId: job.id });
            await driveOrWarn(ctx, id);
          }),
        );
      });
      loop.start();
    },
    wake() {
      if (workerId && !stopping.signal.aborted) boss.notifyWorker(workerId);
    },
    async stop() {
      stopping.abort();
      const swept = loop.stop();
      await boss.offWork(kind.queue);
      await swept;
    },
    drive: (id) => drive(ctx, id),
  };
}
