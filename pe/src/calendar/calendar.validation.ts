import type { ErrorDetail } from "@loans/shared";
import { isWeekend } from "./working-days.ts";

export interface CalendarLists {
  nonWorkingDays: readonly string[];
  workingWeekends: readonly string[];
}

/**
 * EXCEPTIONS §3.8's 400s for a body whose dates are real days: each date of the path's year, no duplicates in
 * a list, none in both, workingWeekends only Saturdays and Sundays. Every problem is listed, at its index.
 */
export function calendarBodyProblems(year: number, body: CalendarLists): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const add = (path: string, message: string, code: string) => problems.push({ path, message, code });
  const prefix = `${String(year).padStart(4, "0")}-`;
  for (const list of ["nonWorkingDays", "workingWeekends"] as const) {
    const seen = new Set<string>();
    body[list].forEach((d, i) => {
      const at = `${list}.${i}`;
      if (!d.startsWith(prefix)) add(at, `must be a date of ${year}`, "OTHER_YEAR");
      if (seen.has(d)) add(at, `${d} is listed twice`, "DUPLICATE");
      seen.add(d);
      if (list === "workingWeekends" && !isWeekend(d)) add(at, `${d} is not a Saturday or Sunday`, "NOT_A_WEEKEND");
    });
  }
  const off = new Set(body.nonWorkingDays);
  body.workingWeekends.forEach((d, i) => {
    if (off.has(d)) add(`workingWeekends.${i}`, `${d} is also in nonWorkingDays`, "IN_BOTH_LISTS");
  });
  return problems;
}
