import { businessDateClosedEvent } from "@loans/contracts/events/index";
import { type Kysely, sql } from "kysely";
import type { PeDB } from "../db.ts";
import type { CobDaySummary } from "../lifecycle/business-date.ts";
import { emitPeEvent } from "../lifecycle/events.ts";

/**
 * `business-date.closed` once the daily job has finished `summary.date`: once per date, however often
 * the job runs for it (the catch-up at start, the cron, a business-date move), with the counts of the run
 * that did the date's work, the first. A run is resumable and has no transaction of its own, so the event
 * is written at its end in a short transaction, serialised by an advisory lock so two runs cannot both
 * find it missing.
 */
export async function emitDateClosed(db: Kysely<PeDB>, summary: CobDaySummary): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${businessDateClosedEvent.type}))`.execute(trx);
    const seen = await sql`
      select 1 from events where type = ${businessDateClosedEvent.type} and businessdate = ${summary.date}::date
      limit 1`.execute(trx);
    if (seen.rows.length > 0) return;
    await emitPeEvent(trx, businessDateClosedEvent, [{ subject: "business-date", data: summary }], summary.date);
  });
}
