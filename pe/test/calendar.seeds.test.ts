import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  loadWorkingCalendar,
  readCalendarVersion,
  readCalendarYear,
  readCalendarYears,
} from "../src/calendar/calendar.repository.ts";
import { longestNonWorkingRun, nextWorkingDay, tooLongRun } from "../src/calendar/working-days.ts";
import { nextDay } from "../src/calendar.ts";
import { CALENDAR_2026 } from "./due-dates-fixtures.ts";
import { startTestPe, type TestPe } from "./helpers.ts";

let pe: TestPe;
beforeAll(async () => {
  pe = await startTestPe();
});
afterAll(() => pe?.stop());

// EXCEPTIONS §6.4's 2026, which decree No. 1466 of 24 Sep 2025 and Labour Code art. 112 give.
const SPEC_2026 = CALENDAR_2026;

/** Working days in a year by a calendar: the count the published production calendars state. */
function workingDays(isWorking: (d: string) => boolean, year: number): number {
  let n = 0;
  for (let d = `${year}-01-01`; d <= `${year}-12-31`; d = nextDay(d)) if (isWorking(d)) n++;
  return n;
}

describe("the seeded calendars (db/pe/0007_calendar.sql)", () => {
  it("seeds 2025 and 2026 at version 0, and not 2027 (its decree is not published)", async () => {
    const years = await readCalendarYears(pe.db);
    expect(years.map((y) => [y.year, y.source])).toEqual([
      [2025, "SEED"],
      [2026, "SEED"],
    ]);
    expect(await readCalendarYear(pe.db, 2027)).toBeNull();
    expect(await readCalendarVersion(pe.db)).toBe(0);
  });

  it("2026 is §6.4's list", async () => {
    expect(await readCalendarYear(pe.db, 2026)).toEqual({
      year: 2026,
      nonWorkingDays: SPEC_2026,
      workingWeekends: [],
      source: "SEED",
    });
  });

  it("each seeded year has the published count of 247 working days and passes §3.8", async () => {
    const cal = await loadWorkingCalendar(pe.db);
    expect(cal.version).toBe(0);
    expect(workingDays(cal.isWorking, 2025)).toBe(247);
    expect(workingDays(cal.isWorking, 2026)).toBe(247);
    for (const year of [2025, 2026]) expect(tooLongRun(cal, year)).toBeNull();
    expect(longestNonWorkingRun(cal, 2026)).toEqual({ from: "2025-12-31", to: "2026-01-11", days: 12 });
  });

  it("moves the seeded holidays and transfers of 2025 (decree No. 1335 of 4 Oct 2024)", async () => {
    const cal = await loadWorkingCalendar(pe.db);
    expect(cal.isWorking("2025-11-01")).toBe(true); // a working Saturday
    expect(cal.isWorking("2025-02-24")).toBe(true); // Sunday 23 Feb moved to 8 May, not to the Monday
    expect(cal.isWorking("2025-03-10")).toBe(true); // Saturday 8 Mar moved to 13 Jun
    expect(nextWorkingDay(cal, "2025-05-08")).toBe("2025-05-12");
    expect(nextWorkingDay(cal, "2025-06-12")).toBe("2025-06-16");
    expect(nextWorkingDay(cal, "2025-11-02")).toBe("2025-11-05");
    expect(nextWorkingDay(cal, "2025-12-30")).toBe("2025-12-30");
    expect(nextWorkingDay(cal, "2027-01-01")).toBe("2027-01-01"); // weekends only: a Friday
  });
});
