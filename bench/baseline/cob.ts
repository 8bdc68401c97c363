/**
 * The daily job's pg-boss baseline, for `pnpm bench` only; built into pe/dist/baseline-cob.mjs and run as a
 * process of its own beside an idle PE. It does the same work as POST /admin/business-date on the manual
 * clock (bench/servicing.ts) the way a team would build it on a job queue instead of one loop per day in
 * one process: it records the move of the business date, then for each day crossed enqueues one pg-boss job
 * per ACTIVE agreement behind that day and lets pg-boss workers run PE's own per-agreement function
 * (`cobAgreementDay`, one transaction under the row lock) on each, waiting for the day's jobs to finish
 * before the next day (a day must be done for every agreement before the next one starts, LIFECYCLE §2.4).
 *
 * Environment: PE_DATABASE_URL (a copy of the database the bench prepared), COB_TO (the new business date),
 * COB_WORKERS (jobs in flight at once, 8), COB_BATCH (jobs a worker fetches at a time, 10; each still its own transaction). Prints one line
 * of JSON: the days, the agreement-days done, the seconds, and the process's own CPU seconds.
 */
import { createDatabase, createLogger } from "@loans/shared";
import { ensureQueue, startBoss, unfinishedJobs } from "@loans/shared/boss";
import { sql } from "kysely";
import { insertMove } from "../../pe/src/business-date/business-date.repository.ts";
import { nextDay } from "../../pe/src/calendar.ts";
import { cobAgreementDay } from "../../pe/src/cob/cob.ts";
import type { PeDB } from "../../pe/src/db.ts";

export const COB_BASELINE_QUEUE = "bench.cob-agreement-day";

const url = process.env.PE_DATABASE_URL;
const to = process.env.COB_TO;
const workers = Number(process.env.COB_WORKERS ?? 8);
const batchSize = Number(process.env.COB_BATCH ?? 10);
if (!url || !to) throw new Error("PE_DATABASE_URL and COB_TO are required");

const log = createLogger("cob-baseline", "warn");
const { db, close } = createDatabase<PeDB>(url, workers + 2);
const boss = await startBoss(url, log, 4);
await ensureQueue(boss, COB_BASELINE_QUEUE, { retryLimit: 5, retryDelay: 1 });

const started = performance.now();
const cpuAtStart = process.cpuUsage();
const from = await db.transaction().execute(async (trx) => {
  const { rows } = await sql<{ date: string }>`select max(date)::text as date from business_date`.execute(trx);
  await insertMove(trx, to);
  return rows[0]!.date;
});

let done = 0;
let skipped = 0;
await boss.work<{ id: string; day: string }>(
  COB_BASELINE_QUEUE,
  // burstWhenBatchFull: a full fetch is followed by the next at once, not after the polling interval.
  { batchSize, localConcurrency: workers, pollingIntervalSeconds: 0.5, burstWhenBatchFull: true },
  async (jobs) => {
    for (const job of jobs) {
      const r = await cobAgreementDay(db, job.data.id, job.data.day);
      if (r) done++;
      else skipped++;
    }
  },
);

const days: Array<{ date: string; agreements: number; seconds: number }> = [];
for (let day = nextDay(from); day <= to; day = nextDay(day)) {
  const t0 = performance.now();
  const behind = await db
    .selectFrom("agreements")
    .select("id")
    .where("status", "=", "ACTIVE")
    .where("last_cob_date", "<", day)
    .execute();
  for (let i = 0; i < behind.length; i += 1_000)
    await boss.insert(
      COB_BASELINE_QUEUE,
      behind.slice(i, i + 1_000).map((a) => ({ data: { id: a.id, day } })),
    );
  while ((await unfinishedJobs(boss, COB_BASELINE_QUEUE)) > 0) await new Promise((r) => setTimeout(r, 50));
  days.push({ date: day, agreements: behind.length, seconds: (performance.now() - t0) / 1000 });
}
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuAtStart);
await boss.stop({ graceful: true, timeout: 5_000 });
await close();
process.stdout.write(
  `${JSON.stringify({ from, to, days, agreementDays: done, skipped, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, workers, batchSize })}\n`,
);
