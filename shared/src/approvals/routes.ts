import Router from "@koa/router";
import type { Context } from "koa";
import { z } from "zod";
import { requireRole } from "../audit/guard.ts";
import { cursorCodec, pageLimit } from "../http/cursor.ts";
import { notFound } from "../http/errors.ts";
import { parseInput } from "../http/validate.ts";
import type { Approvals } from "./approvals.ts";
import { findApproval, listApprovals, toView } from "./store.ts";

export const APPROVAL_STATUSES = ["PENDING", "APPROVED", "REJECTED", "EXPIRED", "FAILED"] as const;

export const approvalsQuery = z.strictObject({
  status: z.enum(APPROVAL_STATUSES).optional().describe("only approvals with this status, as shown"),
  after: z.string().max(200).optional().describe("the `nextCursor` of the previous page"),
  limit: pageLimit(),
});
const approvalCursor = cursorCodec(z.tuple([z.iso.datetime(), z.uuid()]));
const decisionBody = z.strictObject({}).optional();

// A path id that is no uuid names no approval: a 404, as everywhere else.
function approvalId(ctx: Context): string {
  const id = ctx.params.id ?? "";
  if (!z.uuid().safeParse(id).success) throw notFound("approval");
  return id.toLowerCase();
}

/**
 * The four-eyes endpoints: list and read approvals (viewer), approve or reject one (the role its action
 * declares, checked by the decision).
 */
export function approvalRoutes<DB>(deps: { approvals: Approvals<DB> }): Router {
  const { approvals } = deps;
  const router = new Router();

  router.get("/admin/approvals", async (ctx) => {
    requireRole(ctx, "viewer");
    const q = parseInput(approvalsQuery, ctx.query, "query");
    const after = q.after === undefined ? undefined : approvalCursor.decode(q.after);
    const rows = await listApprovals(approvals.db, { status: q.status, limit: q.limit + 1, after });
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    ctx.body = {
      items: page.map(toView),
      nextCursor: rows.length > q.limit && last ? approvalCursor.encode([last.requestedKey, last.id]) : null,
    };
  });

  router.get("/admin/approvals/:id", async (ctx) => {
    requireRole(ctx, "viewer");
    const row = await findApproval(approvals.db, approvalId(ctx));
    if (!row) throw notFound("approval");
    ctx.body = { approval: toView(row) };
  });

  for (const decision of ["approve", "reject"] as const) {
    router.post(`/admin/approvals/:id/${decision}`, async (ctx) => {
      const id = approvalId(ctx);
      parseInput(decisionBody, ctx.request.body, "body");
      ctx.body = { approval: await approvals.decide(ctx, id, decision) };
    });
  }
  return router;
}
