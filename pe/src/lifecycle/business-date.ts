import type { Kysely, Transaction } from "kysely";
import type { PeDB } from "../db.ts";

/**
 * The business date (LIFECYCLE §4.3, §8.1): the one date every business decision reads. On the system
 * clock it is today's UTC date; on the manual clock it only moves forward through POST /admin/business-date,
 * and every move is kept with the instant it took effect, so that an instant's business date (a payment's
 * value date, a payout's disbursedOn) is exact however late PE learns of it.
 */
export interface BusinessClock {
  readonly mode: "system" | "manual";
  /** The business date now ('YYYY-MM-DD'). */
  today(db: Kysely<PeDB> | Transaction<PeDB>): Promise<string>;
  /** The business date in effect at `instant` (system clock: its UTC date). */
  at(db: Kysely<PeDB> | Transaction<PeDB>, instant: Date): Promise<string>;
}

/** What the daily job did on one business date, as POST /admin/business-date reports it per day crossed. */
export interface CobDaySummary {
  date: string;
  /** ACTIVE agreements brought up to this day. */
  agreements: number;
  /** Periods that became OVERDUE on this day. */
  overdueMarked: number;
  /** Σ penalty posted for this day, two decimals. */
  penaltyPosted: string;
  /** Agreements closed by this day's job. */
  closed: number;
}

/**
 * Runs the daily job for business date `day` on every ACTIVE agreement whose last_cob_date is before it,
 * catching each one up day by day, one transaction per agreement-day; resumable after a crash. Counts in
 * the summary are for `day` itself.
 */
export type RunCobDay = (db: Kysely<PeDB>, day: string) => Promise<CobDaySummary>;
