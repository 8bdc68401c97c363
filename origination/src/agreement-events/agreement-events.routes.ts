import Router from "@koa/router";
import { APPLICATION_STATUSES, agreementStatusChanged } from "@loans/contracts";
import type { Metrics } from "@loans/shared";
import type { RouteDoc } from "@loans/shared/http/openapi";
import { batchEndpoint, batchResults, exampleBatch, messageBatch } from "@loans/shared/outbox";
import type { Kysely } from "kysely";
import { z } from "zod";
import type { OriginationDB } from "../db.ts";
import { statusChangedHandler } from "./agreement-events.handler.ts";

/** POST /internal/agreement-events: the loan's statuses from PE's outbox (signed; the base app checks it). */
export function agreementEventRoutes(deps: { db: Kysely<OriginationDB>; metrics?: Metrics }): Router {
  const router = new Router();
  router.post("/internal/agreement-events", batchEndpoint(deps.db, [statusChangedHandler], { metrics: deps.metrics }));
  return router;
}

export const agreementEventRouteDocs: RouteDoc[] = [
  {
    method: "post",
    path: "/internal/agreement-events",
    operationId: "receiveAgreementEvents",
    summary:
      "The loan's statuses from PE's outbox: APPROVED | PAYMENT_PENDING → ACTIVE → CLOSED, or → " +
      "DISBURSEMENT_FAILED; forward only, each item answered with the application's status",
    tags: ["internal"],
    access: "service",
    body: messageBatch(agreementStatusChanged),
    bodyExample: exampleBatch(agreementStatusChanged, { id: "57", createdAt: "2026-11-29T17:40:00.180Z" }),
    responses: {
      200: {
        description: "one result per message",
        example: { results: [{ id: "57", outcome: "ok", result: { status: "ACTIVE" } }] },
        body: batchResults(z.object({ status: z.enum(APPLICATION_STATUSES) })),
      },
    },
  },
];
