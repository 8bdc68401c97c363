import Router from "@koa/router";
import { paymentSucceeded } from "@loans/contracts";
import type { Metrics } from "@loans/shared";
import type { RouteDoc } from "@loans/shared/http/openapi";
import { batchEndpoint, exampleBatch, messageBatch } from "@loans/shared/outbox";
import type { Kysely } from "kysely";
import type { PeDB } from "../db.ts";
import type { BusinessClock } from "../lifecycle/business-date.ts";
import { paymentSucceededHandler } from "./payments.intake.ts";

export interface PaymentRouteDeps {
  db: Kysely<PeDB>;
  clock: BusinessClock;
  /** Called once a transaction that wrote outbox rows has committed: wakes the relay. */
  afterCommit: () => void;
  metrics?: Metrics;
}

/** POST /internal/payments (PG's outbox, signed): each payment applied once on its value date. */
export function paymentRoutes(deps: PaymentRouteDeps): Router {
  const router = new Router();
  const intake = batchEndpoint(deps.db, [paymentSucceededHandler(deps.clock)], { metrics: deps.metrics });
  router.post("/internal/payments", async (ctx) => {
    await intake(ctx);
    // A payment that closed the loan wrote agreement.status-changed and maybe a refund: send them now.
    deps.afterCommit();
  });
  return router;
}

export const paymentDocs: RouteDoc[] = [
  {
    method: "post",
    path: "/internal/payments",
    operationId: "receivePayments",
    summary:
      "Payments from PG's outbox (payment.succeeded), each applied once on its value date; answered with the " +
      "allocation first computed. `retry` NOT_ACTIVE_YET while PE does not know the loan ACTIVE",
    tags: ["internal"],
    access: "service",
    body: messageBatch(paymentSucceeded),
    bodyExample: exampleBatch(paymentSucceeded, { id: "812", createdAt: "2025-03-25T10:00:01.010Z" }),
    responses: {
      200: {
        description: "one result per message: `{appliedOn, allocation{interest,principal,penalty,unapplied,refunded}}`",
      },
    },
  },
];
