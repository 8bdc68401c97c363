import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { monthWeeks, parseDates, workingDayCount, type YearLists } from "../src/calendar-grid.ts";

const none: YearLists = { nonWorkingDays: [], workingWeekends: [] };
// EXCEPTIONS §6.4's 2026: the New Year run, 23 Feb, 9 Mar (for 8 Mar), 1 and 11 May, 12 Jun, 4 Nov, 31 Dec.
const y2026: YearLists = {
  nonWorkingDays: [
    ...["01", "02", "05", "06", "07", "08", "09"].map((d) => `2026-01-${d}`),
    "2026-02-23",
    "2026-03-09",
    "2026-05-01",
    "2026-05-11",
    "2026-06-12",
    "2026-11-04",
    "2026-12-31",
  ],
  workingWeekends: [],
};

const cell = (y: number, m: number, date: string, lists: YearLists = none) =>
  monthWeeks(y, m, lists)
    .flat()
    .find((c) => c?.date === date);

describe("the Calendar page's month grid", () => {
  it.each([
    ["a Monday", 2026, 1, "2026-01-12", none, "working"],
    ["a Saturday", 2026, 1, "2026-01-10", none, "weekend"],
    ["a Sunday", 2026, 3, "2026-03-08", y2026, "weekend"],
    ["a holiday on a weekday", 2026, 3, "2026-03-09", y2026, "holiday"],
    [
      "a weekend listed as non-working too",
      2026,
      1,
      "2026-01-03",
      { ...none, nonWorkingDays: ["2026-01-03"] },
      "holiday",
    ],
    ["a working Saturday", 2025, 11, "2025-11-01", { ...none, workingWeekends: ["2025-11-01"] }, "working-weekend"],
  ] as const)("marks %s", (_, y, m, date, lists, kind) => {
    expect(cell(y, m, date, lists)?.kind).toBe(kind);
  });

  it("starts weeks on Monday: 1 January 2026 is a Thursday, in the fourth slot", () => {
    const first = monthWeeks(2026, 1, none)[0]!;
    expect(first.slice(0, 3)).toEqual([null, null, null]);
    expect(first[3]?.date).toBe("2026-01-01");
  });

  it("counts 2026's working days under §6.4's list (247, as the decree's calendar says)", () => {
    expect(workingDayCount(2026, y2026)).toBe(247);
  });

  it("lays out every day of any month once, in order, in whole weeks, on its weekday", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1900, max: 2200 }), fc.integer({ min: 1, max: 12 }), (y, m) => {
        const weeks = monthWeeks(y, m, none);
        expect(weeks.every((w) => w.length === 7)).toBe(true);
        const days = weeks.flat().filter((c) => c !== null);
        expect(days.map((c) => c.day)).toEqual(Array.from({ length: days.length }, (_, i) => i + 1));
        expect(days.length).toBe(new Date(Date.UTC(y, m, 0)).getUTCDate());
        weeks.flat().forEach((c, i) => {
          if (!c) return;
          const dow = (new Date(`${c.date}T00:00:00Z`).getUTCDay() + 6) % 7;
          expect(i % 7).toBe(dow);
          expect(c.kind).toBe(dow >= 5 ? "weekend" : "working");
        });
      }),
    );
  });

  it("reads a list typed with commas, spaces or new lines", () => {
    expect(parseDates(" 2026-01-01,2026-01-02;\n2026-01-05  ")).toEqual(["2026-01-01", "2026-01-02", "2026-01-05"]);
    expect(parseDates("")).toEqual([]);
  });
});
