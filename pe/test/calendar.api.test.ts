import { operatorHeaders } from "@loans/shared/test-kit/operators";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nextDay } from "../src/calendar.ts";
import { call, startTestPe, type TestPe } from "./helpers.ts";

const ADMIN = "admin-token-for-the-calendar";
const admin = { authorization: `Bearer ${ADMIN}` };
let pe: TestPe;
beforeAll(async () => {
  pe = await startTestPe({ BUSINESS_CLOCK: "manual", BUSINESS_DATE_START: "2025-03-01", ADMIN_TOKEN: ADMIN });
});
afterAll(() => pe?.stop());

const get = (year: string | number) => call(pe.url, "GET", `/admin/calendar/${year}`, undefined, admin);
const put = (year: string | number, body: unknown) => call(pe.url, "PUT", `/admin/calendar/${year}`, body, admin);
const days = (from: string, n: number) => {
  const out = [from];
  while (out.length < n) out.push(nextDay(out[out.length - 1] as string));
  return out;
};
const version = async () => (await get(2026)).body.version as number;

describe("GET /admin/calendar/{year}", () => {
  it("answers a seeded year as SEED, version 0", async () => {
    const r = await get(2025);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ year: 2025, workingWeekends: ["2025-11-01"], version: 0, source: "SEED" });
    expect(r.body.nonWorkingDays).toHaveLength(15);
  });

  it("answers a year with none stored as DEFAULT: weekends only, both lists empty", async () => {
    expect((await get(2031)).body).toEqual({
      year: 2031,
      nonWorkingDays: [],
      workingWeekends: [],
      version: 0,
      source: "DEFAULT",
    });
  });

  it.each(["1899", "2201", "abc", "20260", "-2026"])("refuses the year %s with a 400", async (year) => {
    const r = await get(year);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("VALIDATION_FAILED");
    expect(r.body.error.details[0].path).toBe("year");
  });

  it("needs the admin token", async () => {
    expect((await call(pe.url, "GET", "/admin/calendar/2026")).status).toBe(401);
    expect(
      (await call(pe.url, "PUT", "/admin/calendar/2031", { nonWorkingDays: [], workingWeekends: [] })).status,
    ).toBe(401);
    expect(await version()).toBe(0);
  });
});

describe("PUT /admin/calendar/{year}: refusals write nothing", () => {
  const refused = async (year: number, body: unknown, status: number) => {
    const before = await get(year);
    const r = await put(year, body);
    expect(r.status).toBe(status);
    expect(await get(year)).toMatchObject({ body: before.body });
    return r.body.error;
  };

  it.each([
    [
      "another year's date",
      { nonWorkingDays: ["2031-01-01", "2030-12-31"], workingWeekends: [] },
      "nonWorkingDays.1",
      "OTHER_YEAR",
    ],
    [
      "a duplicate",
      { nonWorkingDays: ["2031-01-01", "2031-01-02", "2031-01-01"], workingWeekends: [] },
      "nonWorkingDays.2",
      "DUPLICATE",
    ],
    [
      "a weekday in workingWeekends",
      { nonWorkingDays: [], workingWeekends: ["2031-01-06"] },
      "workingWeekends.0",
      "NOT_A_WEEKEND",
    ],
    [
      "a date in both lists",
      { nonWorkingDays: ["2031-01-04"], workingWeekends: ["2031-01-04"] },
      "workingWeekends.0",
      "IN_BOTH_LISTS",
    ],
    [
      "not a calendar day",
      { nonWorkingDays: ["2031-02-29"], workingWeekends: [] },
      "nonWorkingDays.0",
      "invalid_format",
    ],
    ["a list missing", { nonWorkingDays: [] }, "workingWeekends", "invalid_type"],
    ["an unknown field", { nonWorkingDays: [], workingWeekends: [], holidays: [] }, "holidays", "unrecognized_keys"],
  ])("%s → 400", async (_, body, path, code) => {
    const error = await refused(2031, body, 400);
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.details).toContainEqual(expect.objectContaining({ path, code }));
  });

  it("lists every problem of a body at once, and a bad year beside them", async () => {
    const r = await put(1800, { nonWorkingDays: ["x"], workingWeekends: [] });
    expect(r.status).toBe(400);
    expect(r.body.error.details.map((d: { path: string }) => d.path)).toEqual(["year", "nonWorkingDays.0"]);
    const many = await refused(
      2031,
      { nonWorkingDays: ["2030-01-01", "2031-01-01", "2031-01-01"], workingWeekends: ["2031-01-01", "2031-01-07"] },
      400,
    );
    expect(many.details.map((d: { code: string }) => d.code).sort()).toEqual(
      ["DUPLICATE", "IN_BOTH_LISTS", "NOT_A_WEEKEND", "NOT_A_WEEKEND", "OTHER_YEAR"].sort(),
    );
  });

  it("a run of 15 non-working days → 422 CALENDAR_INVALID", async () => {
    // Wed 5 Mar … Wed 19 Mar 2031, two weekends inside.
    const error = await refused(2031, { nonWorkingDays: days("2031-03-05", 15), workingWeekends: [] }, 422);
    expect(error).toMatchObject({
      code: "CALENDAR_INVALID",
      details: [{ from: "2031-03-05", to: "2031-03-19", days: 15 }],
    });
    expect(await version()).toBe(0);
  });

  it("a run across the year end counts the stored neighbour: 31 Dec 2026 (seeded) + 1–14 Jan 2027", async () => {
    const body = { nonWorkingDays: days("2027-01-01", 14), workingWeekends: [] };
    const error = await refused(2027, body, 422);
    expect(error.details[0]).toMatchObject({ from: "2026-12-31", to: "2027-01-14", days: 15 });
  });
});

describe("PUT /admin/calendar/{year}: stored", () => {
  it("stores a year as ADMIN, adds one to the version each time, and the answer reads back", async () => {
    // 14 days in a row pass (Wed 5 … Tue 18 Mar 2031); a Saturday in nonWorkingDays is accepted.
    const body = { nonWorkingDays: days("2031-03-05", 14).reverse(), workingWeekends: ["2031-03-29"] };
    const r = await put(2031, body);
    expect(r.status).toBe(200);
    const stored = { year: 2031, nonWorkingDays: days("2031-03-05", 14), workingWeekends: ["2031-03-29"] };
    expect(r.body).toEqual({ ...stored, version: 1, source: "ADMIN", redated: { agreements: 0, periods: 0 } });
    expect((await get(2031)).body).toEqual({ ...stored, version: 1, source: "ADMIN" });

    const again = await put(2031, { nonWorkingDays: [], workingWeekends: [] });
    expect(again.body).toMatchObject({ year: 2031, nonWorkingDays: [], version: 2, source: "ADMIN" });
    expect((await get(2026)).body).toMatchObject({ source: "SEED", version: 2 });
  });

  it("replaces a seeded year, and concurrent PUTs each get a version of their own", async () => {
    const v = await version();
    const bodies = [2032, 2033, 2034, 2026].map((y) => ({
      y,
      body: { nonWorkingDays: [`${y}-01-01`], workingWeekends: [] },
    }));
    const answers = await Promise.all(bodies.map(({ y, body }) => put(y, body)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(answers.map((a) => a.body.version).sort()).toEqual([v + 1, v + 2, v + 3, v + 4]);
    expect((await get(2026)).body).toMatchObject({ nonWorkingDays: ["2026-01-01"], source: "ADMIN", version: v + 4 });
  });
});

describe("pe_calendar_missing_years", () => {
  const gauge = async () => {
    const text = (await call(pe.url, "GET", "/metrics")).body as string;
    return /^pe_calendar_missing_years(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1];
  };

  it("is 1 while the business date's next year has no calendar", async () => {
    expect(await gauge()).toBe("0"); // 2025: 2026 is seeded
    const moved = await call(pe.url, "POST", "/admin/business-date", { date: "2026-01-02" }, admin);
    expect(moved.status).toBe(200);
    expect(await gauge()).toBe("1"); // 2026: 2027 is not
    expect((await put(2027, { nonWorkingDays: ["2027-01-01"], workingWeekends: [] })).status).toBe(200);
    expect(await gauge()).toBe("0");
  });
});

describe("PUT /admin/calendar/{year}: audited", () => {
  const rows = async (requestId: string) =>
    (
      await sql<{ operator_name: string; action: string; target: string; outcome: string; status: number }>`
        select operator_name, action, target, outcome, status from audit_log where request_id = ${requestId}`.execute(
        pe.db,
      )
    ).rows;

  it("one row naming the operator: stored, refused by the 14-day rule, and a viewer's 403", async () => {
    const ivan = await operatorHeaders(pe.url, "calendar-ivan", "operator", admin);
    const vera = await operatorHeaders(pe.url, "calendar-vera", "viewer", admin);
    const body = { nonWorkingDays: [], workingWeekends: [] };
    const ok = await call(pe.url, "PUT", "/admin/calendar/2033", body, { ...ivan, "x-request-id": "cal-audit-ok" });
    expect(ok.status).toBe(200);
    expect(await rows("cal-audit-ok")).toEqual([
      {
        operator_name: "calendar-ivan",
        action: "calendar.put",
        target: "calendar:2033",
        outcome: "ALLOWED",
        status: 200,
      },
    ]);
    const long = { nonWorkingDays: days("2033-03-01", 15), workingWeekends: [] };
    const refused = await call(pe.url, "PUT", "/admin/calendar/2033", long, {
      ...ivan,
      "x-request-id": "cal-audit-422",
    });
    expect(refused.status).toBe(422);
    expect(await rows("cal-audit-422")).toEqual([
      {
        operator_name: "calendar-ivan",
        action: "calendar.put",
        target: "calendar:2033",
        outcome: "FAILED",
        status: 422,
      },
    ]);
    const viewer = await call(pe.url, "PUT", "/admin/calendar/2033", body, {
      ...vera,
      "x-request-id": "cal-audit-403",
    });
    expect(viewer.status).toBe(403);
    expect(await rows("cal-audit-403")).toMatchObject([
      { operator_name: "calendar-vera", outcome: "REFUSED", status: 403 },
    ]);
  });
});
