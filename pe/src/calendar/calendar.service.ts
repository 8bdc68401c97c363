import type { Logger } from "@loans/shared";
import type { Kysely, Transaction } from "kysely";
import type { PeDB } from "../db.ts";
import { peError } from "../errors.ts";
import type { BusinessClock } from "../lifecycle/business-date.ts";
import {
  lockCalendarVersion,
  readCalendarVersion,
  readCalendarYear,
  readCalendarYears,
  replaceCalendarYear,
} from "./calendar.repository.ts";
import { type CalendarYear, tooLongRun, workingCalendar } from "./working-days.ts";

export interface Redated {
  agreements: number;
  periods: number;
}

/** What a calendar change is: the year replaced, the version it made, the business date it was made on. */
export interface CalendarChange {
  year: number;
  version: number;
  on: string;
}

/**
 * Runs after a PUT commits: EXCEPTIONS §3.9's re-dating of the loans a NEXT_WORKING_DAY product dates, each in
 * its own transaction, resumable. The due dates' re-dating plugs in here (PeDeps.afterCalendarChange).
 */
export type AfterCalendarChange = (db: Kysely<PeDB>, change: CalendarChange) => Promise<Redated>;

/** Until due dates exist nothing is dated by the calendar, so nothing is re-dated. */
export const redateNothing: AfterCalendarChange = async () => ({ agreements: 0, periods: 0 });

export interface CalendarDeps {
  db: Kysely<PeDB>;
  clock: BusinessClock;
  log: Logger;
  afterCalendarChange: AfterCalendarChange;
}

/**
 * Replaces one year (§3.8's body checks already passed). Under the version row's lock, so the check of the run
 * across the year's ends sees neighbours no other PUT is changing: more than 14 non-working days in a row →
 * 422 CALENDAR_INVALID and nothing written. After the commit, the re-dating hook.
 */
/** `audit` writes the operator's audit row in the PUT's transaction, so it commits with the year. */
export async function putCalendarYear(
  deps: CalendarDeps,
  y: CalendarYear,
  audit: (trx: Transaction<PeDB>, version: number) => Promise<unknown> = async () => {},
) {
  const { version, on } = await deps.db.transaction().execute(async (trx) => {
    await lockCalendarVersion(trx);
    const others = (await readCalendarYears(trx)).filter((s) => s.year !== y.year);
    const run = tooLongRun(workingCalendar([...others, y], 0), y.year);
    if (run) {
      throw peError(
        "CALENDAR_INVALID",
        `${run.days} consecutive non-working days from ${run.from} to ${run.to}; at most 14`,
        [{ path: "nonWorkingDays", message: "a run of non-working days is longer than 14 days", ...run }],
      );
    }
    const version = await replaceCalendarYear(trx, y);
    await audit(trx, version);
    return { version, on: await deps.clock.today(trx) };
  });
  const redated = await redate(deps, { year: y.year, version, on });
  // The answer is this PUT's year, sorted as GET reads it, not a re-read: a later PUT may have replaced it since.
  const sorted = (days: readonly string[]) => [...days].sort();
  return {
    year: y.year,
    nonWorkingDays: sorted(y.nonWorkingDays),
    workingWeekends: sorted(y.workingWeekends),
    version,
    source: "ADMIN" as const,
    redated,
  };
}

/**
 * The calendar is stored whatever the re-dating does: a run that fails resumes on start, on the loan's next
 * touch and in the daily job (§3.9), so a failure here is logged and the answer counts nothing re-dated.
 */
async function redate(deps: CalendarDeps, change: CalendarChange): Promise<Redated> {
  try {
    return await deps.afterCalendarChange(deps.db, change);
  } catch (err) {
    deps.log.error("re-dating after a calendar change failed; it resumes later", { err, ...change });
    return { agreements: 0, periods: 0 };
  }
}

/** One year as stored, or DEFAULT (weekends only: both lists empty) when none is. */
export async function getCalendarYear(db: Kysely<PeDB>, year: number) {
  // One snapshot for both reads, so the version is the one the year was read at.
  return db
    .transaction()
    .setIsolationLevel("repeatable read")
    .execute(async (trx) => {
      const stored = await readCalendarYear(trx, year);
      const version = await readCalendarVersion(trx);
      if (stored) return { ...stored, version };
      return { year, nonWorkingDays: [], workingWeekends: [], version, source: "DEFAULT" as const };
    });
}
