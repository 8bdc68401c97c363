import { Dec } from "@loans/shared/money";
import type { Kysely } from "kysely";
import type { PeDB } from "../db.ts";
import type { CobDaySummary, RunCobDay } from "../lifecycle/business-date.ts";
import { addDays } from "../servicing/days.ts";
import { findLoan } from "../servicing-store/loan.repository.ts";
import { redateLoans } from "../servicing-store/redate.ts";
import { refreshLoan } from "../servicing-store/refresh.ts";
import { emitDateClosed } from "./closed-event.ts";

/**
 * The daily job (LIFECYCLE §2.4) for business date `day`: every ACTIVE agreement behind it is brought
 * forward one day at a time, each agreement-day in a transaction of its own that ends by moving
 * last_cob_date, so a crash loses at most the day in flight and a rerun resumes where it stopped (case 13).
 * The state of each day is the pure core's; overdue marking, penalty, due-date funds, deferred early
 * repayments and the close check are all in it.
 */
export const cobDayRunner =
  (lanes: number): RunCobDay =>
  async (db, day) => {
    const summary = { date: day, agreements: 0, overdueMarked: 0, penaltyPosted: new Dec(0), closed: 0 };
    for (;;) {
      // Batches of the agreements still behind `day`; each one leaves the set once caught up.
      const behind = await db
        .selectFrom("agreements")
        .select(["id", "last_cob_date"])
        .where("status", "=", "ACTIVE")
        .where("last_cob_date", "<", day)
        .orderBy("id")
        .limit(500)
        .execute();
      if (behind.length === 0) break;
      // Agreements are independent: `lanes` of them at a time, each on its own connection, each one's
      // days still in order. One lane leaves the job waiting on round trips (the bench saw 0.74 cores).
      let next = 0;
      const lane = async () => {
        for (let a = behind[next++]; a; a = behind[next++]) {
          for (let d = addDays(a.last_cob_date!, 1); d <= day; d = addDays(d, 1)) {
            const r = await cobAgreementDay(db, a.id, d);
            if (!r || d !== day) continue;
            summary.agreements += 1;
            summary.overdueMarked += r.overdueMarked;
            summary.penaltyPosted = summary.penaltyPosted.plus(r.penaltyPosted);
            summary.closed += r.closed ? 1 : 0;
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(lanes, behind.length) }, lane));
    }
    // A re-dating a calendar PUT left unfinished (a crash, a restart) is finished here (EXCEPTIONS §3.9).
    await redateLoans(db, day);
    const closed = { ...summary, penaltyPosted: summary.penaltyPosted.toFixed(2) } satisfies CobDaySummary;
    await emitDateClosed(db, closed);
    return closed;
  };

/** One agreement-day under the agreement's row lock; null when another run (or a touch) did it first. */
export async function cobAgreementDay(db: Kysely<PeDB>, id: string, day: string) {
  return db.transaction().execute(async (trx) => {
    const loan = await findLoan(trx, id, { lock: true });
    // Another run, or a payment's catch-up, may have done this day since the batch was read.
    if (loan?.status !== "ACTIVE" || !loan.lastCobDate || loan.lastCobDate >= day) return null;
    const r = await refreshLoan(trx, loan, day);
    const penaltyPosted = r.state.penaltyPostings
      .filter((p) => p.on === day)
      .reduce((s, p) => s.plus(p.amount), new Dec(0));
    return { overdueMarked: r.overdueMarked, penaltyPosted, closed: r.closed };
  });
}
