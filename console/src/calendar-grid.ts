/**
 * The month grids of the Calendar page, pure: which days of a year are working days under a production
 * calendar (PE's rule, EXCEPTIONS §2.4: Saturdays and Sundays are days off unless listed as working weekends;
 * every listed non-working day is off), laid out in weeks from Monday as Russian calendars print them.
 */
export type DayKind = "working" | "weekend" | "holiday" | "working-weekend";

export interface DayCell {
  date: string;
  day: number;
  kind: DayKind;
}

export interface YearLists {
  nonWorkingDays: readonly string[];
  workingWeekends: readonly string[];
}

const pad = (n: number) => String(n).padStart(2, "0");
const iso = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`;
const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
/** 0 for Monday … 6 for Sunday. */
const weekday = (y: number, m: number, d: number) => (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;

export function dayKind(date: string, isWeekend: boolean, off: ReadonlySet<string>, on: ReadonlySet<string>): DayKind {
  if (on.has(date)) return "working-weekend";
  if (off.has(date)) return "holiday";
  return isWeekend ? "weekend" : "working";
}

/** The weeks of month `m` (1–12) of year `y`; a week is 7 slots, null before the 1st and after the last day. */
export function monthWeeks(y: number, m: number, lists: YearLists): Array<Array<DayCell | null>> {
  const off = new Set(lists.nonWorkingDays);
  const on = new Set(lists.workingWeekends);
  const cells: Array<DayCell | null> = Array.from({ length: weekday(y, m, 1) }, () => null);
  for (let d = 1; d <= daysIn(y, m); d++) {
    const date = iso(y, m, d);
    cells.push({ date, day: d, kind: dayKind(date, weekday(y, m, d) >= 5, off, on) });
  }
  while (cells.length % 7 !== 0) cells.push(null);
  return Array.from({ length: cells.length / 7 }, (_, w) => cells.slice(w * 7, w * 7 + 7));
}

export const isWorking = (k: DayKind) => k === "working" || k === "working-weekend";

/** The dates typed in a list box: any mix of spaces, commas, semicolons and new lines between them. */
export const parseDates = (text: string): string[] => text.split(/[\s,;]+/).filter((s) => s !== "");

/** How many working days a year has under the lists: what the page says beside the grid. */
export function workingDayCount(y: number, lists: YearLists): number {
  let n = 0;
  for (let m = 1; m <= 12; m++)
    for (const week of monthWeeks(y, m, lists)) for (const c of week) if (c && isWorking(c.kind)) n++;
  return n;
}
