import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { calendarBodyProblems } from "../src/calendar/calendar.validation.ts";
import {
  type CalendarYear,
  dayOfWeek,
  longestNonWorkingRun,
  nextWorkingDay,
  previousDay,
  tooLongRun,
  workingCalendar,
} from "../src/calendar/working-days.ts";
import { formatIsoDate, nextDay } from "../src/calendar.ts";
import { CALENDAR_2026 } from "./due-dates-fixtures.ts";

// EXCEPTIONS §6.4's 2026.
const Y2026: CalendarYear = {
  year: 2026,
  nonWorkingDays: CALENDAR_2026,
  workingWeekends: [],
};
const Y2025: CalendarYear = {
  year: 2025,
  nonWorkingDays: [
    "2025-01-01",
    "2025-01-02",
    "2025-01-03",
    "2025-01-06",
    "2025-01-07",
    "2025-01-08",
    "2025-05-01",
    "2025-05-02",
    "2025-05-08",
    "2025-05-09",
    "2025-06-12",
    "2025-06-13",
    "2025-11-03",
    "2025-11-04",
    "2025-12-31",
  ],
  workingWeekends: ["2025-11-01"],
};
const cal = workingCalendar([Y2025, Y2026], 3);

describe("dayOfWeek", () => {
  it.each([
    ["2026-01-01", 4],
    ["2026-03-08", 0],
    ["2026-05-09", 6],
    ["2025-11-01", 6],
    ["2000-02-29", 2],
    ["1900-01-01", 1],
    ["2200-12-31", 3],
  ])("%s is day %i", (date, dow) => expect(dayOfWeek(date)).toBe(dow));

  it("advances by one each day", () => {
    fc.assert(
      fc.property(arbDate, (d) => {
        expect(dayOfWeek(nextDay(d))).toBe((dayOfWeek(d) + 1) % 7);
        expect(nextDay(previousDay(d))).toBe(d);
      }),
    );
  });
});

describe("nextWorkingDay", () => {
  it.each([
    ["a working Monday stays", "2026-02-09", "2026-02-09"],
    ["a holiday on a weekday (23 Feb, Mon)", "2026-02-23", "2026-02-24"],
    ["a holiday moved off a Sunday (8 Mar → 9 Mar)", "2026-03-09", "2026-03-10"],
    ["a Saturday before a moved holiday (9 May → 11 May)", "2026-05-09", "2026-05-12"],
    ["a plain Sunday", "2026-04-12", "2026-04-13"],
    ["a working Saturday (1 Nov 2025)", "2025-11-01", "2025-11-01"],
    ["the run of holidays across 2025's end", "2025-12-31", "2026-01-12"],
    ["the first of January", "2026-01-01", "2026-01-12"],
    ["31 Dec 2026 into a year with no calendar (weekends only)", "2026-12-31", "2027-01-01"],
    ["a weekend of a year with no calendar", "2027-01-02", "2027-01-04"],
  ])("%s", (_, date, expected) => expect(nextWorkingDay(cal, date)).toBe(expected));

  it("workingWeekends make a weekend working; nonWorkingDays win over them", () => {
    const c = workingCalendar(
      [{ year: 2030, nonWorkingDays: ["2030-01-05"], workingWeekends: ["2030-01-05", "2030-01-06"] }],
      0,
    );
    expect(c.isWorking("2030-01-05")).toBe(false);
    expect(c.isWorking("2030-01-06")).toBe(true);
    expect(c.isWorking("2030-01-12")).toBe(false);
    expect(c.version).toBe(0);
  });

  it("is the first working day on or after the date, across year ends", () => {
    fc.assert(
      fc.property(arbCalendar, arbDate, (c, d) => {
        const w = nextWorkingDay(c, d);
        expect(w >= d).toBe(true);
        expect(c.isWorking(w)).toBe(true);
        for (let x = d; x < w; x = nextDay(x)) expect(c.isWorking(x)).toBe(false);
      }),
    );
  });
});

describe("longestNonWorkingRun (§3.8)", () => {
  it("finds 2025's New Year run, 31 Dec 2025 to 11 Jan 2026, from both years", () => {
    const run = { from: "2025-12-31", to: "2026-01-11", days: 12 };
    expect(longestNonWorkingRun(cal, 2026)).toEqual(run);
    expect(longestNonWorkingRun(cal, 2025)).toEqual(run);
    expect(tooLongRun(cal, 2025)).toBeNull();
    expect(tooLongRun(cal, 2026)).toBeNull();
  });

  it("a year with weekends only has runs of two", () => {
    expect(longestNonWorkingRun(workingCalendar([], 0), 2040)).toEqual({
      from: "2039-12-31",
      to: "2040-01-01",
      days: 2,
    });
  });

  it("14 days pass, 15 do not; a run across a year end counts whole", () => {
    const days = (from: string, n: number) => Array.from({ length: n }, (_, i) => addDays(from, i));
    // Wed 6 Mar … Tue 19 Mar 2030 (two weekends inside, listed too: a weekend in nonWorkingDays changes nothing).
    const fourteen = workingCalendar([{ year: 2030, nonWorkingDays: days("2030-03-06", 14), workingWeekends: [] }], 0);
    expect(longestNonWorkingRun(fourteen, 2030)).toEqual({ from: "2030-03-06", to: "2030-03-19", days: 14 });
    expect(tooLongRun(fourteen, 2030)).toBeNull();
    const fifteen = workingCalendar([{ year: 2030, nonWorkingDays: days("2030-03-06", 15), workingWeekends: [] }], 0);
    expect(tooLongRun(fifteen, 2030)).toEqual({ from: "2030-03-06", to: "2030-03-20", days: 15 });
    // 2029's last week and 2030's first: each year alone is fine, together 16 days.
    const end = { year: 2029, nonWorkingDays: days("2029-12-24", 8), workingWeekends: [] };
    const start = {
      year: 2030,
      nonWorkingDays: days("2030-01-01", 4).concat(days("2030-01-07", 2)),
      workingWeekends: [],
    };
    expect(tooLongRun(workingCalendar([end], 0), 2029)).toBeNull();
    expect(tooLongRun(workingCalendar([start], 0), 2030)).toBeNull();
    expect(tooLongRun(workingCalendar([end, start], 0), 2030)).toEqual({
      from: "2029-12-22",
      to: "2030-01-08",
      days: 18,
    });
    expect(tooLongRun(workingCalendar([end, start], 0), 2029)?.days).toBe(18);
  });
});

function addDays(date: string, n: number): string {
  let d = date;
  for (let i = 0; i < n; i++) d = nextDay(d);
  return d;
}

const arbDate = fc
  .record({
    year: fc.integer({ min: 1900, max: 2200 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 28 }),
  })
  .map(formatIsoDate);

/** Years 2025–2027 with random days off and working weekends: any such calendar, valid or not. */
const arbCalendar = fc
  .array(
    fc.record({
      year: fc.integer({ min: 2025, max: 2027 }),
      off: fc.array(fc.integer({ min: 0, max: 364 }), { maxLength: 40 }),
      on: fc.array(fc.integer({ min: 0, max: 364 }), { maxLength: 10 }),
    }),
    { maxLength: 3 },
  )
  .map((ys) =>
    workingCalendar(
      ys.map(({ year, off, on }) => ({
        year,
        nonWorkingDays: off.map((i) => addDays(`${year}-01-01`, i)),
        workingWeekends: on.map((i) => addDays(`${year}-01-01`, i)),
      })),
      1,
    ),
  );

describe("calendarBodyProblems (§3.8's 400s)", () => {
  it.each([
    ["a valid body", { nonWorkingDays: ["2031-01-01", "2031-01-04"], workingWeekends: ["2031-01-05"] }, []],
    ["another year", { nonWorkingDays: ["2030-12-31"], workingWeekends: [] }, [["nonWorkingDays.0", "OTHER_YEAR"]]],
    [
      "a duplicate",
      { nonWorkingDays: [], workingWeekends: ["2031-01-05", "2031-01-05"] },
      [["workingWeekends.1", "DUPLICATE"]],
    ],
    ["a weekday", { nonWorkingDays: [], workingWeekends: ["2031-01-03"] }, [["workingWeekends.0", "NOT_A_WEEKEND"]]],
    [
      "both lists",
      { nonWorkingDays: ["2031-01-05"], workingWeekends: ["2031-01-05"] },
      [["workingWeekends.0", "IN_BOTH_LISTS"]],
    ],
  ])("%s", (_, body, expected) => {
    expect(calendarBodyProblems(2031, body).map((p) => [p.path, p.code])).toEqual(expected);
  });
});
