/**
 * The production calendar (EXCEPTIONS §2.4, §3.8), pure: which days are working, the first working day on
 * or after a date, and the check that no run of non-working days is longer than a due date may be moved.
 * Dates are 'YYYY-MM-DD' strings handled with ../calendar.ts's integer helpers, never a JS Date.
 */
import { daysInMonth, formatIsoDate, nextDay, parseIsoDate } from "../calendar.ts";

/** One stored year: the weekdays it rests on and the weekend days it works on. */
export interface CalendarYear {
  year: number;
  nonWorkingDays: readonly string[];
  workingWeekends: readonly string[];
}

export interface WorkingCalendar {
  /** The global calendar version the answer was read at (every PUT adds one; the seeds are version 0). */
  version: number;
  isWorking(date: string): boolean;
}

/** Longest run of consecutive non-working days a calendar may have: a moved dueDate stays before the next periodEnd. */
export const MAX_NON_WORKING_RUN = 14;

/** 0 = Sunday … 6 = Saturday, by Sakamoto's method: integers only, any Gregorian year. */
export function dayOfWeek(date: string): number {
  const d = parseIsoDate(date);
  if (!d) throw new RangeError(`not a date: ${date}`);
  const t = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
  const y = d.month < 3 ? d.year - 1 : d.year;
  return (y + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400) + (t[d.month - 1] ?? 0) + d.day) % 7;
}

export const isWeekend = (date: string): boolean => {
  const dow = dayOfWeek(date);
  return dow === 0 || dow === 6;
};

/**
 * A calendar from the stored years. A date is working unless it is a Saturday or Sunday not in its year's
 * workingWeekends, or is in its year's nonWorkingDays; a year not given has weekends only.
 */
export function workingCalendar(years: readonly CalendarYear[], version: number): WorkingCalendar {
  const off = new Set<string>();
  const on = new Set<string>();
  for (const y of years) {
    for (const d of y.nonWorkingDays) off.add(d);
    for (const d of y.workingWeekends) on.add(d);
  }
  return {
    version,
    isWorking(date) {
      if (off.has(date)) return false;
      return !isWeekend(date) || on.has(date);
    },
  };
}

/** The first working day on or after `date`, crossing year ends. Total: a week always holds a weekday. */
export function nextWorkingDay(cal: Pick<WorkingCalendar, "isWorking">, date: string): string {
  if (!parseIsoDate(date)) throw new RangeError(`not a date: ${date}`);
  let day = date;
  // Bounded so that a calendar built by hand with every day off cannot hang a caller.
  for (let i = 0; i <= 366 * 2; i++) {
    if (cal.isWorking(day)) return day;
    day = nextDay(day);
  }
  throw new RangeError(`no working day within two years after ${date}`);
}

export interface NonWorkingRun {
  from: string;
  to: string;
  days: number;
}

/**
 * The longest run of consecutive non-working days that touches `year` (the earliest when several tie).
 * The scan starts 30 days before the year and ends 30 days after it, so a run that crosses a year end
 * is counted whole, by the neighbouring years' own days (stored or weekends only).
 */
export function longestNonWorkingRun(cal: WorkingCalendar, year: number): NonWorkingRun | null {
  const first = `${String(year).padStart(4, "0")}-01-01`;
  const last = `${String(year).padStart(4, "0")}-12-31`;
  let day = shiftBack(first, MAX_NON_WORKING_RUN * 2);
  const end = shiftForward(last, MAX_NON_WORKING_RUN * 2);
  let best: NonWorkingRun | null = null;
  let from: string | null = null;
  let days = 0;
  for (; day <= end; day = nextDay(day)) {
    if (cal.isWorking(day)) {
      from = null;
      days = 0;
      continue;
    }
    from ??= day;
    days += 1;
    const touches = from <= last && day >= first;
    if (touches && (!best || days > best.days)) best = { from, to: day, days };
  }
  return best;
}

/** §3.8's 422: the run that is too long, or null when the calendar is acceptable around `year`. */
export function tooLongRun(cal: WorkingCalendar, year: number): NonWorkingRun | null {
  const run = longestNonWorkingRun(cal, year);
  return run && run.days > MAX_NON_WORKING_RUN ? run : null;
}

function shiftForward(date: string, days: number): string {
  let d = date;
  for (let i = 0; i < days; i++) d = nextDay(d);
  return d;
}

/** `days` days before `date`, stopping at 0001-01-01 (the first date ../calendar.ts can name). */
function shiftBack(date: string, days: number): string {
  let d = date;
  for (let i = 0; i < days && d !== "0001-01-01"; i++) d = previousDay(d);
  return d;
}

/** The day before `date`. */
export function previousDay(date: string): string {
  const d = parseIsoDate(date);
  if (!d) throw new RangeError(`not a date: ${date}`);
  if (d.day > 1) return formatIsoDate({ ...d, day: d.day - 1 });
  if (d.month > 1) return formatIsoDate({ year: d.year, month: d.month - 1, day: daysInMonth(d.year, d.month - 1) });
  return formatIsoDate({ year: d.year - 1, month: 12, day: 31 });
}
