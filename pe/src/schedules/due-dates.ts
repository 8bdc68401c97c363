import { nextWorkingDay, type WorkingCalendar } from "../calendar/working-days.ts";

/**
 * Due dates moved off non-working days (EXCEPTIONS D18, §2.4): each period keeps its nominal periodEnd
 * (start + k months, SCHEDULE.md) and falls due on dueDate — periodEnd itself under NONE, the first working
 * day ≥ periodEnd under NEXT_WORKING_DAY. Amounts never depend on it. Pure: the calendar is passed in.
 */

export type DueDateShift = "NONE" | "NEXT_WORKING_DAY";

/** What this needs of a production calendar: which days are working. */
export type WorkingDays = Pick<WorkingCalendar, "isWorking">;

export interface DatedRow {
  period: number;
  periodEnd: string;
  dueDate: string;
}

export function dueDateOf(shift: DueDateShift, cal: WorkingDays, periodEnd: string): string {
  return shift === "NONE" ? periodEnd : nextWorkingDay(cal, periodEnd);
}

/** The rows with each dueDate computed from its periodEnd by the calendar (at creation and at disbursement). */
export function withDueDates<R extends DatedRow>(rows: readonly R[], shift: DueDateShift, cal: WorkingDays): R[] {
  return rows.map((r) => ({ ...r, dueDate: dueDateOf(shift, cal, r.periodEnd) }));
}

/**
 * Re-dating after a calendar change on business date d (§3.9): a period whose dueDate is after d takes
 * its new date when that is after d too, so nothing falls due in the past and every date ≤ d keeps its
 * state; the rest keep theirs. Answers the rows and how many changed.
 */
export function redateRows<R extends DatedRow>(
  rows: readonly R[],
  shift: DueDateShift,
  cal: WorkingDays,
  d: string,
): { rows: R[]; changed: number } {
  let changed = 0;
  const out = rows.map((r) => {
    if (r.dueDate <= d) return r;
    const next = dueDateOf(shift, cal, r.periodEnd);
    if (next <= d || next === r.dueDate) return r;
    changed += 1;
    return { ...r, dueDate: next };
  });
  return { rows: out, changed };
}
