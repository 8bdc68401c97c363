import Router from "@koa/router";
import { auditAction, describeAudit } from "@loans/shared/audit";
import type { RouteDoc } from "@loans/shared/http/openapi";
import type { Kysely } from "kysely";
import type { PeDB } from "../db.ts";
import { peError } from "../errors.ts";
import { parseRequest } from "../http/inputs.ts";
import type { BusinessClock, RunCobDay } from "../lifecycle/business-date.ts";
import { businessDateMoveResponse, businessDateResponse, moveBusinessDateBody } from "./business-date.schemas.ts";
import { moveBusinessDate } from "./business-date.service.ts";

export interface BusinessDateRouteDeps {
  db: Kysely<PeDB>;
  clock: BusinessClock;
  runCobDay: RunCobDay;
  /** BUSINESS_DATE_MAX_MOVE_DAYS: the furthest one move may go. */
  maxMoveDays: number;
}

/** GET and POST /admin/business-date (LIFECYCLE §4.3); their roles are in businessDateDocs (the kit's guard). */
export function businessDateRoutes(deps: BusinessDateRouteDeps): Router {
  const { db, clock } = deps;
  const router = new Router();

  router.get("/admin/business-date", async (ctx) => {
    ctx.body = { date: await clock.today(db), clock: clock.mode };
  });

  router.post("/admin/business-date", async (ctx) => {
    // The body first (LIFECYCLE §8.12): a bad body is a 400 whatever the clock.
    describeAudit(ctx, { action: "business-date.move", target: "business-date" });
    const { date } = parseRequest(moveBusinessDateBody, ctx.request.body);
    if (clock.mode !== "manual")
      throw peError("CLOCK_NOT_MANUAL", "the business date follows the system clock; only a manual clock moves");
    ctx.body = await moveBusinessDate(deps, date, (trx, from) =>
      auditAction(trx, ctx, { action: "business-date.move", target: "business-date", summary: { from, to: date } }),
    );
  });

  return router;
}

const moveExample = {
  date: "2025-03-17",
  cob: [
    { date: "2025-03-16", agreements: 1, overdueMarked: 1, penaltyPosted: "13.28", closed: 0 },
    { date: "2025-03-17", agreements: 1, overdueMarked: 0, penaltyPosted: "13.28", closed: 0 },
  ],
};

export const businessDateDocs: RouteDoc[] = [
  {
    method: "get",
    path: "/admin/business-date",
    access: { role: "viewer" },
    operationId: "getBusinessDate",
    summary: "The business date every business decision reads, and which clock keeps it (an admin call)",
    tags: ["admin"],
    responses: {
      200: {
        description: "the business date now",
        body: businessDateResponse,
        example: { date: "2025-03-15", clock: "manual" },
      },
    },
  },
  {
    method: "post",
    path: "/admin/business-date",
    access: { role: "operator" },
    operationId: "moveBusinessDate",
    summary:
      "Moves the manual clock forward and runs the daily job for every day crossed, in order; answers once " +
      "every agreement is caught up (an admin call; tests and demos only, refused on the system clock)",
    tags: ["admin"],
    body: moveBusinessDateBody,
    bodyExample: { date: "2025-03-17" },
    responses: {
      200: {
        description: "moved: the new date and the daily job's result per day",
        body: businessDateMoveResponse,
        example: moveExample,
      },
      409: {
        description: "the business date follows the system clock",
        errors: [
          {
            code: "CLOCK_NOT_MANUAL",
            message: "the business date follows the system clock; only a manual clock moves",
          },
        ],
      },
      422: {
        description:
          "the date is not after the current business date, or further ahead than BUSINESS_DATE_MAX_MOVE_DAYS " +
          "(366 unless set) days; nothing changed",
        errors: [
          {
            code: "DATE_NOT_AFTER_CURRENT",
            message: "the business date is 2025-03-17; a move must go after it",
            details: [{ path: "date", message: "must be after 2025-03-17", current: "2025-03-17" }],
          },
          {
            code: "MOVE_TOO_FAR",
            message: "a move may cross at most 366 days (BUSINESS_DATE_MAX_MOVE_DAYS); 9999-12-31 is 2912732 ahead",
            details: [{ path: "date", message: "must be at most 2026-03-18", current: "2025-03-17", maxDays: 366 }],
          },
        ],
      },
    },
  },
];
