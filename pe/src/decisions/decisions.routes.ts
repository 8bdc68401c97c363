import Router from "@koa/router";
import { applicationDecided } from "@loans/contracts";
import type { Metrics } from "@loans/shared";
import type { RouteDoc } from "@loans/shared/http/openapi";
import { batchEndpoint, batchResults, exampleBatch, messageBatch, setBasedHandler } from "@loans/shared/outbox";
import type { Kysely, Transaction } from "kysely";
import type { PeDB } from "../db.ts";
import { advanceMany } from "../lifecycle/advance-many.ts";

/** POST /internal/decisions: batches from Origination's outbox (signed; the base app checks it). */
export function decisionRoutes(deps: { db: Kysely<PeDB>; metrics?: Metrics }): Router {
  const router = new Router();
  router.post(
    "/internal/decisions",
    batchEndpoint(
      deps.db,
      [
        // One message or a batch, the same three statements (advanceMany); a refusal answers its item alone.
        setBasedHandler(applicationDecided, async (trx: Transaction<PeDB>, messages) => {
          const items = messages.map(({ payload: { agreementId, ...decision } }) => ({
            agreementId,
            event: decision.result,
            decision,
          }));
          return (await advanceMany(trx, items)).map((a) =>
            "refused" in a ? a.refused : { outcome: "ok" as const, result: { status: a.status } },
          );
        }),
      ],
      { metrics: deps.metrics },
    ),
  );
  return router;
}

export const decisionDocs: RouteDoc[] = [
  {
    method: "post",
    path: "/internal/decisions",
    operationId: "receiveDecisions",
    summary: "Decisions from Origination's outbox, each applied once; a contradiction is refused for its item",
    tags: ["internal"],
    access: "service",
    body: messageBatch(applicationDecided),
    bodyExample: exampleBatch(applicationDecided, {
      id: "5b0e8d0c-3f0e-4a39-9f55-2f7c4f8c1a11",
      createdAt: "2026-11-29T17:39:06.974Z",
    }),
    responses: {
      200: {
        description: "one result per message",
        body: batchResults(applicationDecided.answer),
        example: {
          results: [{ id: "5b0e8d0c-3f0e-4a39-9f55-2f7c4f8c1a11", outcome: "ok", result: { status: "APPROVED" } }],
        },
      },
      400: { description: "the batch envelope is malformed" },
    },
  },
];
