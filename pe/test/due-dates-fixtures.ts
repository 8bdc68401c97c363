import { redateRows, type WorkingDays, withDueDates } from "../src/schedules/due-dates.ts";
import { buildSchedule } from "../src/schedules/schedule.ts";
import { dayNumber } from "../src/servicing/days.ts";
import type { LoanTerms } from "../src/servicing/index.ts";

/** A calendar as EXCEPTIONS §2.4 defines one: weekends off unless listed as working, listed days off. */
export function calendarOf(nonWorkingDays: readonly string[], workingWeekends: readonly string[] = []): WorkingDays {
  const off = new Set(nonWorkingDays);
  const on = new Set(workingWeekends);
  return {
    isWorking(date) {
      if (off.has(date)) return false;
      // 1970-01-01 was a Thursday: day number + 4 mod 7 is 0 on Sundays.
      const dow = (((dayNumber(date) + 4) % 7) + 7) % 7;
      return (dow !== 0 && dow !== 6) || on.has(date);
    },
  };
}

/** EXCEPTIONS §6.4's 2026 calendar. */
export const CALENDAR_2026 = [
  "2026-01-01",
  "2026-01-02",
  "2026-01-05",
  "2026-01-06",
  "2026-01-07",
  "2026-01-08",
  "2026-01-09",
  "2026-02-23",
  "2026-03-09",
  "2026-05-01",
  "2026-05-11",
  "2026-06-12",
  "2026-11-04",
  "2026-12-31",
];

export interface LoanSpec {
  principal: string;
  annualRate: string;
  termMonths: number;
  disbursedOn: string;
  shift: "NONE" | "NEXT_WORKING_DAY";
  calendar: WorkingDays;
  penaltyGraceDays?: number;
}

/** Terms as the store builds them: SCHEDULE.md's amounts, dates moved by the calendar at disbursement. */
export function loanTerms(s: LoanSpec): LoanTerms {
  const rows = buildSchedule({
    principal: s.principal,
    annualRate: s.annualRate,
    termMonths: s.termMonths,
    amortization: "ANNUITY",
    startDate: s.disbursedOn,
  });
  return {
    schedule: withDueDates(rows, s.shift, s.calendar),
    disbursedOn: s.disbursedOn,
    annualRate: s.annualRate,
    amortization: "ANNUITY",
    penaltyRate: "20",
    penaltyGraceDays: s.penaltyGraceDays ?? 0,
  };
}

/** The terms after a calendar change on d: rows re-dated, the re-dating placed as version `version`. */
export function redated(terms: LoanTerms, cal: WorkingDays, d: string, version: number): LoanTerms {
  const { rows, changed } = redateRows(terms.schedule, "NEXT_WORKING_DAY", cal, d);
  if (changed === 0) return terms;
  return { ...terms, schedule: rows, redatings: [...(terms.redatings ?? []), { version, on: d }] };
}
