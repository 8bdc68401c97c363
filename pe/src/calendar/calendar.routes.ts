import Router from "@koa/router";
import { AppError } from "@loans/shared";
import { auditAction, describeAudit } from "@loans/shared/audit";
import type { RouteDoc } from "@loans/shared/http/openapi";
import { z } from "zod";
import { parseParts, parseRequest } from "../http/inputs.ts";
import { calendarYearParam, calendarYearResponse, putCalendarBody, putCalendarResponse } from "./calendar.schemas.ts";
import { type CalendarDeps, getCalendarYear, putCalendarYear } from "./calendar.service.ts";
import { calendarBodyProblems } from "./calendar.validation.ts";

/** GET and PUT /admin/calendar/{year} (EXCEPTIONS D17, §3.8, §5). */
export function calendarRoutes(deps: CalendarDeps): Router {
  const router = new Router();

  router.get("/admin/calendar/:year", async (ctx) => {
    const { year } = parseRequest(calendarYearParam, { year: ctx.params.year }, "path");
    ctx.body = await getCalendarYear(deps.db, year);
  });

  router.put("/admin/calendar/:year", async (ctx) => {
    // Named first, so a refused PUT's audit row says what was asked.
    const audited = { action: "calendar.put", target: `calendar:${ctx.params.year}` };
    describeAudit(ctx, audited);
    const [{ year }, body] = parseParts(
      { schema: calendarYearParam, value: { year: ctx.params.year } },
      { schema: putCalendarBody, value: ctx.request.body },
    );
    const problems = calendarBodyProblems(year, body);
    if (problems.length > 0)
      throw new AppError("VALIDATION_FAILED", `request is invalid: ${problems.length} problem(s)`, problems);
    ctx.body = await putCalendarYear(deps, { year, ...body }, (trx, version) =>
      auditAction(trx, ctx, { ...audited, summary: { version, nonWorkingDays: body.nonWorkingDays.length } }),
    );
  });

  return router;
}

const example2026 = {
  year: 2026,
  nonWorkingDays: [
    "2026-01-01",
    "2026-01-02",
    "2026-01-05",
    "2026-01-06",
    "2026-01-07",
    "2026-01-08",
    "2026-01-09",
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
const yearParam = z.object({
  year: z
    .string()
    .regex(/^\d{4}$/)
    .describe("the calendar year, 1900–2200"),
});
const badYear = {
  code: "VALIDATION_FAILED",
  message: "path is invalid: 1 problem(s)",
  details: [{ path: "year", message: "must be from 1900 to 2200", code: "custom" }],
};

export const calendarDocs: RouteDoc[] = [
  {
    method: "get",
    path: "/admin/calendar/{year}",
    operationId: "getCalendarYear",
    summary:
      "One year of the production calendar: SEED (the migration's official calendar), ADMIN (a PUT) or DEFAULT " +
      "(none stored: weekends only, both lists empty)",
    tags: ["admin"],
    access: { role: "viewer" },
    params: yearParam,
    responses: {
      200: {
        description: "the year as PE dates by it",
        body: calendarYearResponse,
        example: { ...example2026, version: 0, source: "SEED" },
      },
      400: { description: "the year is not from 1900 to 2200", errors: [badYear] },
    },
  },
  {
    method: "put",
    path: "/admin/calendar/{year}",
    operationId: "putCalendarYear",
    summary:
      "Replaces a whole year of the production calendar, adds one to the calendar version and re-dates the " +
      "loans still ahead (EXCEPTIONS §3.9)",
    tags: ["admin"],
    access: { role: "operator" },
    params: yearParam,
    body: putCalendarBody,
    bodyExample: { nonWorkingDays: example2026.nonWorkingDays, workingWeekends: [] },
    responses: {
      200: {
        description: "stored; the loans re-dated",
        body: putCalendarResponse,
        example: { ...example2026, version: 1, source: "ADMIN", redated: { agreements: 0, periods: 0 } },
      },
      400: {
        description:
          "a bad year, a date of another year, a duplicate, a date in both lists, a weekday in workingWeekends; " +
          "nothing written",
        errors: [
          {
            code: "VALIDATION_FAILED",
            message: "request is invalid: 2 problem(s)",
            details: [
              { path: "nonWorkingDays.3", message: "must be a date of 2026", code: "OTHER_YEAR" },
              { path: "workingWeekends.0", message: "2026-03-10 is not a Saturday or Sunday", code: "NOT_A_WEEKEND" },
            ],
          },
        ],
      },
      422: {
        description: "more than 14 non-working days in a row, neighbouring stored years included; nothing written",
        errors: [
          {
            code: "CALENDAR_INVALID",
            message: "15 consecutive non-working days from 2030-03-06 to 2030-03-20; at most 14",
            details: [
              {
                path: "nonWorkingDays",
                message: "a run of non-working days is longer than 14 days",
                from: "2030-03-06",
                to: "2030-03-20",
                days: 15,
              },
            ],
          },
        ],
      },
    },
  },
];
