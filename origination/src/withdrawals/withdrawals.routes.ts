import Router from "@koa/router";
import { agreementWithdrawn } from "@loans/contracts";
import type { Metrics } from "@loans/shared";
import type { RouteDoc } from "@loans/shared/http/openapi";
import { batchEndpoint, exampleBatch } from "@loans/shared/outbox";
import type { Kysely } from "kysely";
import type { OriginationDB } from "../db.ts";
import { agreementWithdrawnHandler } from "./withdrawals.handler.ts";
import { withdrawalBatch, withdrawalResults } from "./withdrawals.schemas.ts";

/** POST /internal/withdrawals: batches from PE's outbox (signed; the base app checks it under /internal/). */
export function withdrawalRoutes(deps: { db: Kysely<OriginationDB>; metrics?: Metrics }): Router {
  const router = new Router();
  router.post("/internal/withdrawals", batchEndpoint(deps.db, [agreementWithdrawnHandler], { metrics: deps.metrics }));
  return router;
}

export const withdrawalRouteDocs: RouteDoc[] = [
  {
    method: "post",
    path: "/internal/withdrawals",
    summary:
      "Withdrawals from PE's outbox; idempotent. The application becomes WITHDRAWN (final) whatever it was; " +
      "one not received yet is remembered and arrives WITHDRAWN, unscored",
    operationId: "receiveWithdrawals",
    tags: ["internal"],
    access: "service",
    body: withdrawalBatch,
    bodyExample: exampleBatch(agreementWithdrawn, { id: "m2", createdAt: "2026-11-29T17:40:00.000Z" }),
    responses: {
      200: {
        description: "one result per message",
        body: withdrawalResults,
        example: { results: [{ id: "m2", outcome: "ok", result: { status: "WITHDRAWN" } }] },
      },
      400: { description: "the batch envelope is malformed" },
    },
  },
];
