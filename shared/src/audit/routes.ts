import Router from "@koa/router";
import type pg from "pg";
import { z } from "zod";
import type { RouteDoc } from "../http/openapi.ts";
import { parseInput } from "../http/validate.ts";
import { forbiddenExample, requireRole } from "./guard.ts";
import { auditQuery, listAudit } from "./query.ts";

/**
 * GET /admin/audit: the service's audit trail, newest first, for a viewer. The access guard checks the
 * declared role; the operator is required here too, so the trail stays closed where ADMIN_TOKEN is unset.
 */
export function auditRoutes(deps: { pool: pg.Pool }): Router {
  const router = new Router();
  router.get("/admin/audit", async (ctx) => {
    requireRole(ctx, "viewer");
    ctx.body = await listAudit(deps.pool, parseInput(auditQuery, ctx.query, "query"));
  });
  return router;
}

const auditEntry = z
  .object({
    id: z.string().describe("increasing: the order rows were appended in"),
    at: z.string().describe("when the row was written (ISO 8601)"),
    operator: z.object({
      id: z.string().nullable().describe("the registry's id; null for the bootstrap admin and unknown callers"),
      name: z.string().describe("`unknown` when refused before an operator was identified"),
      role: z.string().nullable(),
    }),
    tokenHint: z.string().nullable().describe("the token's id, or a masked prefix of what an unknown caller sent"),
    action: z.string().describe("`agreement.disburse`, `product.create`, `approval.approve`, or `METHOD /route`"),
    target: z.string().nullable(),
    requestId: z.string().nullable(),
    outcome: z.enum(["ALLOWED", "REFUSED", "FAILED"]).describe("REFUSED: 401 or 403; FAILED: any other error"),
    status: z.number().int().describe("the HTTP status answered"),
    errorCode: z.string().nullable(),
    summary: z.record(z.string(), z.unknown()).describe("what changed; personal fields masked"),
  })
  .meta({ id: "AuditEntry" });

const auditPage = z.object({ items: z.array(auditEntry), nextCursor: z.string().nullable() });

const entryExample = {
  id: "42",
  at: "2025-03-17T10:15:00.000Z",
  operator: { id: "0b7c4f4e-9a43-4a57-8d1e-3c5e8f1a2b3c", name: "olga", role: "officer" },
  tokenHint: "5f0e2a9c-1d2b-4c3d-9e8f-7a6b5c4d3e2f",
  action: "agreement.disburse",
  target: "agreement:9a1f0c3e-2b4d-4e6f-8a0b-1c2d3e4f5a6b",
  requestId: "b3c2d1e0-aaaa-4bbb-8ccc-123456789abc",
  outcome: "ALLOWED",
  status: 202,
  errorCode: null,
  summary: { accountNumber: "40817810000000000001", from: "APPROVED", to: "DISBURSING" },
};

export const auditDocs: RouteDoc[] = [
  {
    method: "get",
    path: "/admin/audit",
    operationId: "listAudit",
    summary:
      "The audit trail: one row per operator action, allowed or refused, newest first (role viewer). Rows are " +
      "never changed or removed",
    tags: ["admin"],
    access: { role: "viewer" },
    query: auditQuery,
    responses: {
      200: {
        description: "a page of rows; `nextCursor` as `after` gives the next (older) page",
        body: auditPage,
        example: { items: [entryExample], nextCursor: null },
      },
      403: { description: "the operator's role may not read the trail", errors: [forbiddenExample("viewer")] },
    },
  },
];
