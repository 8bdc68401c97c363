import { ensureQueue, type Logger } from "@loans/shared";
import type { Worker } from "@loans/shared/kit/start-service";
import type { Kysely } from "kysely";
import type { PgBoss } from "pg-boss";
import type { PeDB } from "../db.ts";
import type { BusinessClock, RunCobDay } from "../lifecycle/business-date.ts";

export const COB_QUEUE = "pe.cob";
/** LIFECYCLE §2.4: five minutes past midnight UTC, once the new business date has begun. */
export const COB_CRON = "5 0 * * *";

export interface CobWorkerDeps {
  db: Kysely<PeDB>;
  boss: PgBoss;
  clock: BusinessClock;
  runCobDay: RunCobDay;
  log: Logger;
}

/**
 * The daily job's driver. On the system clock a pg-boss cron job (one per occurrence, whatever the number
 * of instances) runs it for the new date; on the manual clock only POST /admin/business-date moves the
 * date, and runs the job itself, so there is no schedule. Either way the job is caught up once at start,
 * for the days missed while PE was down (a missed cron occurrence is skipped, not replayed). The catch-up
 * runs beside the HTTP server rather than before it: it is resumable, and a payment catches its own
 * agreement up first anyway.
 */
export function createCobWorker(deps: CobWorkerDeps): Worker & { caughtUp: () => Promise<void> } {
  const { db, boss, clock, log } = deps;
  let catchUp: Promise<void> = Promise.resolve();
  let working = false;

  const runToday = async (why: string) => {
    const day = await clock.today(db);
    const summary = await deps.runCobDay(db, day);
    log.info("daily job ran", { why, ...summary });
  };

  return {
    async start() {
      await ensureQueue(boss, COB_QUEUE, { retryLimit: 5, retryDelay: 60, retryBackoff: true, expireInSeconds: 3_600 });
      if (clock.mode === "system") {
        await boss.schedule(COB_QUEUE, COB_CRON, {}, { tz: "UTC" });
        await boss.work(COB_QUEUE, { pollingIntervalSeconds: 30 }, () => runToday("schedule"));
        working = true;
      } else {
        // A schedule an earlier start on the system clock left would fire for nothing, with no worker: drop it.
        await boss.unschedule(COB_QUEUE);
      }
      catchUp = runToday("catch-up at start").catch((err) => log.warn("daily job catch-up failed", { err }));
    },
    async stop() {
      if (working) await boss.offWork(COB_QUEUE, { wait: true }).catch(() => {});
      working = false;
      await catchUp;
    },
    /** Settles once the catch-up started by `start` has finished (tests wait on it). */
    caughtUp: () => catchUp,
  };
}
