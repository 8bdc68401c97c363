/**
 * Calendar dates as 'YYYY-MM-DD' strings, with integer arithmetic only: a JS Date at local midnight
 * shifts days across time zones, and Date.UTC maps years below 100 into the 1900s.
 */
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** The date when `text` names a real calendar day ('2023-02-30' does not), else null. */
export function parseIsoDate(text: string): CalendarDate | null {
  const m = ISO_DATE.exec(text);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

export function formatIsoDate({ year, month, day }: CalendarDate): string {
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/**
 * `start` plus `months` calendar months, clamped to the last day of the target month. Always counted from
 * the start date, never chained: 31 Jan + 1 is 29 Feb (2024), and 31 Jan + 2 is 31 Mar, not 29 Mar.
 */
export function addMonthsClamped(start: string, months: number): string {
  const d = parseIsoDate(start);
  if (!d) throw new RangeError(`not a date: ${start}`);
  const index = d.year * 12 + (d.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return formatIsoDate({ year, month, day: Math.min(d.day, daysInMonth(year, month)) });
}

/** The UTC calendar date of an instant. */
export const utcDate = (at: Date): string => at.toISOString().slice(0, 10);

/** The day after `date`. */
export function nextDay(date: string): string {
  const d = parseIsoDate(date);
  if (!d) throw new RangeError(`not a date: ${date}`);
  if (d.day < daysInMonth(d.year, d.month)) return formatIsoDate({ ...d, day: d.day + 1 });
  if (d.month < 12) return formatIsoDate({ year: d.year, month: d.month + 1, day: 1 });
  return formatIsoDate({ year: d.year + 1, month: 1, day: 1 });
}
