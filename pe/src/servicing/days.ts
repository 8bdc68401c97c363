import { formatIsoDate, parseIsoDate } from "../calendar.ts";

/**
 * Day arithmetic on 'YYYY-MM-DD' strings through a day number (days since 1970-01-01), with integer
 * arithmetic only (Hinnant's civil-from-days), for the same reason calendar.ts avoids Date.
 */

export function dayNumber(iso: string): number {
  const d = parseIsoDate(iso);
  if (!d) throw new RangeError(`not a date: ${iso}`);
  const y = d.month <= 2 ? d.year - 1 : d.year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (d.month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d.day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function fromDayNumber(n: number): string {
  const z = n + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return formatIsoDate({ year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day });
}

export const addDays = (iso: string, days: number): string => fromDayNumber(dayNumber(iso) + days);

/** Calendar days from `a` to `b` (negative when b is earlier). */
export const daysBetween = (a: string, b: string): number => dayNumber(b) - dayNumber(a);

/** 366 in a leap year, else 365: the penalty's actual/actual-by-year denominator (LIFECYCLE §2.4). */
export function daysInYear(iso: string): number {
  const y = Number(iso.slice(0, 4));
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 366 : 365;
}
