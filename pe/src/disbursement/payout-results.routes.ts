import Router from "@koa/router";
import { payoutSettled } from "@loans/contracts";
import type { Metrics } from "@loans/shared";
import type { RouteDoc } from "@loans/shared/http/openapi";
import { batchEndpoint, exampleBatch, messageBatch } from "@loans/shared/outbox";
import type { Kysely } from "kysely";
import type { PeDB } from "../db.ts";
import type { BusinessClock } from "../lifecycle/business-date.ts";
import { applyPayoutResult } from "./payout-result.ts";

export interface PayoutResultRouteDeps {
  db: Kysely<PeDB>;
  clock: BusinessClock;
  /** Called once a transaction that wrote outbox rows has committed: wakes the relay. */
  afterCommit: () => void;
  metrics?: Metrics;
}

/** POST /internal/payout-results (PG's outbox, signed): each payout's final word, applied once. */
export function payoutResultRoutes(deps: PayoutResultRouteDeps): Router {
  const { db } = deps;
  const router = new Router();
  const intake = batchEndpoint(
    db,
    [
      {
        topic: payoutSettled,
        async handle(trx, message) {
          const p = message.payload;
          const agreementStatus = await applyPayoutResult(trx, p.agreementId, p, deps.clock);
          return { outcome: "ok", result: { agreementStatus } };
        },
      },
    ],
    { metrics: deps.metrics },
  );
  router.post("/internal/payout-results", async (ctx) => {
    await intake(ctx);
    // A PAID or FAILED applied now wrote agreement.status-changed: deliver it without waiting.
    deps.afterCommit();
  });
  return router;
}

export const payoutResultDocs: RouteDoc[] = [
  {
    method: "post",
    path: "/internal/payout-results",
    operationId: "receivePayoutResults",
    summary:
      "Payout outcomes from PG's outbox (payout.settled), each applied once; answered with the agreement's status",
    tags: ["internal"],
    access: "service",
    body: messageBatch(payoutSettled),
    bodyExample: exampleBatch(payoutSettled, { id: "12", createdAt: "2026-11-29T17:40:00.130Z" }),
    responses: {
      200: { description: "one result per message, the agreement's status: `{agreementStatus}`" },
    },
  },
];
