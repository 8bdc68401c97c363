import { Writable } from "node:stream";
import { createLogger } from "@loans/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBusinessClock } from "../src/business-date/clock.ts";
import { readCalendarVersion, readCalendarYear } from "../src/calendar/calendar.repository.ts";
import { type CalendarChange, type CalendarDeps, putCalendarYear } from "../src/calendar/calendar.service.ts";
import { startTestPe, type TestPe } from "./helpers.ts";

// The re-dating hook as the due dates' re-dating will plug in (PeDeps.afterCalendarChange), on a real database.
let pe: TestPe;
const lines: string[] = [];
beforeAll(async () => {
  pe = await startTestPe();
});
afterAll(() => pe?.stop());

const deps = (afterCalendarChange: CalendarDeps["afterCalendarChange"]): CalendarDeps => ({
  db: pe.db,
  clock: createBusinessClock(
    { BUSINESS_CLOCK: "system", BUSINESS_DATE_START: undefined },
    () => new Date("2026-06-01T10:00:00Z"),
  ),
  log: createLogger("pe", "info", {
    destination: new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  }),
  afterCalendarChange,
});

describe("afterCalendarChange", () => {
  it("runs after the year is committed, with the new version and the business date; its counts are the answer's", async () => {
    const seen: Array<CalendarChange & { stored: unknown; version: number }> = [];
    const answer = await putCalendarYear(
      deps(async (db, change) => {
        // Another connection sees the year: the hook runs after the commit, as each loan's own transaction will.
        seen.push({
          ...change,
          stored: (await readCalendarYear(db, 2027))?.source,
          version: await readCalendarVersion(db),
        });
        return { agreements: 2, periods: 3 };
      }),
      { year: 2027, nonWorkingDays: ["2027-01-01"], workingWeekends: [] },
    );
    expect(seen).toEqual([{ year: 2027, version: 1, on: "2026-06-01", stored: "ADMIN" }]);
    expect(answer).toMatchObject({ year: 2027, version: 1, source: "ADMIN", redated: { agreements: 2, periods: 3 } });
  });

  it("a failing re-dating leaves the calendar stored, is logged, and counts nothing (it resumes later)", async () => {
    const answer = await putCalendarYear(
      deps(async () => {
        throw new Error("connection lost mid-run");
      }),
      { year: 2027, nonWorkingDays: [], workingWeekends: [] },
    );
    expect(answer).toMatchObject({ version: 2, nonWorkingDays: [], redated: { agreements: 0, periods: 0 } });
    expect(await readCalendarYear(pe.db, 2027)).toMatchObject({ nonWorkingDays: [], source: "ADMIN" });
    expect(lines.some((l) => l.includes("re-dating after a calendar change failed") && l.includes('"version":2'))).toBe(
      true,
    );
  });

  it("is not called when the PUT is refused", async () => {
    let called = false;
    const refused = putCalendarYear(
      deps(async () => {
        called = true;
        return { agreements: 0, periods: 0 };
      }),
      {
        year: 2027,
        nonWorkingDays: Array.from({ length: 15 }, (_, i) => `2027-03-${String(i + 1).padStart(2, "0")}`),
        workingWeekends: [],
      },
    );
    await expect(refused).rejects.toMatchObject({ code: "CALENDAR_INVALID" });
    expect(called).toBe(false);
    expect(await readCalendarVersion(pe.db)).toBe(2);
  });
});
