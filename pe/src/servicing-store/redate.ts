import type { Logger } from "@loans/shared";
import type { Kysely } from "kysely";
import { loadWorkingCalendar, readCalendarVersion } from "../calendar/calendar.repository.ts";
import type { PeDB } from "../db.ts";
import { redateRows } from "../schedules/due-dates.ts";
import { findLoan } from "./loan.repository.ts";
import { refreshLoan } from "./refresh.ts";

export interface Redated {
  /** Loans whose due dates moved. */
  agreements: number;
  /** Periods that took a new due date. */
  periods: number;
}

const BATCH = 100;

/**
 * Re-dating after a calendar change on business date d (EXCEPTIONS §3.9): every ACTIVE loan of a
 * NEXT_WORKING_DAY product dated by an older calendar version than the current one, each in its own
 * transaction, by id. A period due after d whose new date is after d too takes it; a CALENDAR schedule
 * version (effectiveOn d) is appended when a row moved; the loan records the version either way. A run
 * stopped midway (`limit` stops it on purpose) leaves the rest on their old version for the next run: after a
 * calendar PUT, at start and in the daily job. Loans not yet disbursed are re-anchored at disbursement.
 */
export async function redateLoans(
  db: Kysely<PeDB>,
  d: string,
  opts: { log?: Logger | undefined; limit?: number } = {},
): Promise<Redated> {
  const total: Redated = { agreements: 0, periods: 0 };
  let after = "00000000-0000-0000-0000-000000000000";
  let done = 0;
  for (;;) {
    const version = await readCalendarVersion(db);
    const batch = await db
      .selectFrom("agreements as a")
      .innerJoin("products as p", "p.code", "a.product_code")
      .select("a.id")
      .where("a.status", "=", "ACTIVE")
      .where("p.due_date_shift", "=", "NEXT_WORKING_DAY")
      .where((eb) => eb(eb.fn.coalesce("a.calendar_version", eb.lit(-1)), "<", version))
      .where("a.id", ">", after)
      .orderBy("a.id")
      .limit(BATCH)
      .execute();
    if (batch.length === 0) break;
    for (const { id } of batch) {
      if (opts.limit !== undefined && done >= opts.limit) return total;
      done += 1;
      after = id;
      // One loan that cannot be re-dated must not hold up the others (nor the daily job that runs this):
      // it keeps its old version, so the next run tries it again.
      const periods = await redateLoan(db, id, d).catch((err: unknown) => {
        opts.log?.error("re-dating a loan failed; the next run tries it again", { err, agreementId: id, on: d });
        return 0;
      });
      total.periods += periods;
      total.agreements += periods > 0 ? 1 : 0;
    }
  }
  if (done > 0) opts.log?.info("loans re-dated after a calendar change", { on: d, checked: done, ...total });
  return total;
}

/** One loan under its row lock; answers how many periods moved (0 when another run did it first). */
export async function redateLoan(db: Kysely<PeDB>, id: string, d: string): Promise<number> {
  return db.transaction().execute(async (trx) => {
    let loan = await findLoan(trx, id, { lock: true });
    const cal = await loadWorkingCalendar(trx);
    if (!loan?.terms || loan.status !== "ACTIVE" || loan.dueDateShift === "NONE") return 0;
    if ((loan.calendarVersion ?? -1) >= cal.version) return 0;
    const asOf = [d, loan.disbursedOn!].sort().at(-1)!;
    // Caught up to d first (as a payment's touch would), so the new version takes the number after
    // every version the days up to d make.
    if (loan.lastCobDate! < asOf) {
      await refreshLoan(trx, loan, asOf);
      loan = (await findLoan(trx, id))!;
      // Paid off on the way: nothing is ahead to re-date.
      if (loan.status !== "ACTIVE") return 0;
    }
    const terms = loan.terms!;
    const { rows, changed } = redateRows(terms.schedule, loan.dueDateShift, cal, asOf);
    if (changed > 0) {
      const redating = { version: loan.scheduleVersion + 1, on: asOf };
      const redated = { ...terms, schedule: rows, redatings: [...(terms.redatings ?? []), redating] };
      await refreshLoan(trx, { ...loan, terms: redated }, asOf);
    }
    await trx.updateTable("agreements").set({ calendar_version: cal.version }).where("id", "=", id).execute();
    return changed;
  });
}
