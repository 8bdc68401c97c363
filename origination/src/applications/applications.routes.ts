import Router from "@koa/router";
import { type Metrics, notFound, parseInput } from "@loans/shared";
import { type BatchResponse, batchEndpoint } from "@loans/shared/outbox";
import type { Kysely } from "kysely";
import type { OriginationDB } from "../db.ts";
import { agreementCreatedHandler } from "./applications.intake.ts";
import { decodeCursor, encodeCursor, toApplicationView } from "./applications.mappers.ts";
import { findApplication, listApplications } from "./applications.repository.ts";
import { applicationParams, listQuery } from "./applications.schemas.ts";

export interface ApplicationRoutesDeps {
  db: Kysely<OriginationDB>;
  /** Called once an intake batch that may have opened applications to score has committed. */
  wakeScoring: () => void;
  metrics?: Metrics;
}

export function applicationRoutes(deps: ApplicationRoutesDeps): Router {
  const router = new Router();
  const intake = batchEndpoint(deps.db, [agreementCreatedHandler], { metrics: deps.metrics });

  // Service auth under /internal/ has already checked the signature (createBaseApp).
  router.post("/internal/applications", async (ctx) => {
    await intake(ctx);
    // The batch has committed by now; an IN_PROGRESS answer may be an application just opened, so score
    // it without waiting for the worker's next poll.
    const { results } = ctx.body as BatchResponse;
    if (results.some((r) => r.outcome === "ok" && (r.result as { status?: string })?.status === "IN_PROGRESS")) {
      deps.wakeScoring();
    }
  });

  router.get("/applications/:agreementId", async (ctx) => {
    const { agreementId } = parseInput(applicationParams, ctx.params, "path");
    const row = await findApplication(deps.db, agreementId);
    if (!row) throw notFound(`application ${agreementId}`);
    ctx.body = toApplicationView(row);
  });

  router.get("/applications", async (ctx) => {
    const q = parseInput(listQuery, ctx.query, "query");
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    const rows = await listApplications(deps.db, { status: q.status, limit: q.limit, after });
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    ctx.body = {
      items: page.map(toApplicationView),
      nextCursor:
        rows.length > q.limit && last
          ? encodeCursor({ createdKey: last.created_key, agreementId: last.agreement_id })
          : null,
    };
  });

  return router;
}
