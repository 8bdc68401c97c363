import Router from "@koa/router";
import { payoutRequested } from "@loans/contracts";
import { type Metrics, notFound, parseInput } from "@loans/shared";
import type { RouteDoc } from "@loans/shared/http/openapi";
import { exampleBatch } from "@loans/shared/outbox";
import { batchEndpoint } from "@loans/shared/outbox/receiver";
import type { Kysely } from "kysely";
import type { PgBoss } from "pg-boss";
import type { GatewayDB } from "../db.ts";
import { decodeCursor, toPage } from "../list-cursor.ts";
import { payoutRequestedHandler } from "./payouts.intake.ts";
import { toPayoutView } from "./payouts.mappers.ts";
import { findPayout, listPayouts } from "./payouts.repository.ts";
import {
  listPayoutsQuery,
  payoutBatch,
  payoutPage,
  payoutParams,
  payoutResults,
  payoutView,
} from "./payouts.schemas.ts";

export interface PayoutRoutesDeps {
  db: Kysely<GatewayDB>;
  boss: PgBoss;
  /** Called once an intake batch has committed: its new payouts' jobs are there to fetch. */
  wakeBank: () => void;
  metrics?: Metrics;
}

export function payoutRoutes(deps: PayoutRoutesDeps): Router {
  const router = new Router();
  const intake = batchEndpoint(deps.db, [payoutRequestedHandler(deps)], { metrics: deps.metrics });

  // Service auth under /internal/ has already checked the signature (createBaseApp).
  router.post("/internal/payouts", async (ctx) => {
    await intake(ctx);
    deps.wakeBank();
  });

  router.get("/payouts/:id", async (ctx) => {
    const { id } = parseInput(payoutParams, ctx.params, "path");
    const row = await findPayout(deps.db, id);
    if (!row) throw notFound(`payout ${id}`);
    ctx.body = toPayoutView(row);
  });

  router.get("/payouts", async (ctx) => {
    const q = parseInput(listPayoutsQuery, ctx.query, "query");
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    const rows = await listPayouts(deps.db, {
      agreementId: q.agreementId,
      status: q.status,
      kind: q.kind,
      limit: q.limit,
      after,
    });
    ctx.body = toPage(rows, q.limit, toPayoutView);
  });

  return router;
}

const AGREEMENT = "94937b77-88cb-431a-9c64-ae4a7400b2b5";
const PAYOUT = "5f1c3d0e-8a7b-4c2d-9e6f-0a1b2c3d4e5f";

/** A payout the bank has paid, as GET /payouts/{id} shows it. */
const payoutExample = {
  id: PAYOUT,
  kind: "DISBURSEMENT",
  agreementId: AGREEMENT,
  amount: "300000.00",
  currency: "RUB",
  destination: { accountNumber: "40817810000000000001" },
  status: "PAID",
  failureCode: null,
  failureMessage: null,
  createdAt: "2026-11-29T17:40:00.000Z",
  settledAt: "2026-11-29T17:40:00.120Z",
};

const payoutNotFound = { code: "NOT_FOUND", message: "payout not found" };

export const payoutRouteDocs: RouteDoc[] = [
  {
    method: "get",
    path: "/payouts/{id}",
    access: { role: "viewer", apiKey: true },
    operationId: "getPayout",
    summary: "One payout: PENDING → IN_TRANSIT → PAID | FAILED",
    tags: ["payouts"],
    params: payoutParams,
    responses: {
      200: { description: "the payout", body: payoutView, example: payoutExample },
      404: { description: "no such payout", errors: [payoutNotFound] },
    },
  },
  {
    method: "get",
    path: "/payouts",
    access: { role: "viewer", apiKey: true },
    operationId: "listPayouts",
    summary: "Payouts, newest first, a page at a time; filters by agreement, status and kind",
    tags: ["payouts"],
    query: listPayoutsQuery,
    responses: {
      200: {
        description: "a page; nextCursor is null on the last one",
        body: payoutPage,
        example: { items: [payoutExample], nextCursor: null },
      },
    },
  },
  {
    method: "post",
    path: "/internal/payouts",
    operationId: "receivePayoutOrders",
    summary:
      "Payout orders from PE's outbox; idempotent by payout id, each answered with the payout's current status. " +
      "The same id with other data, a second DISBURSEMENT for one agreement, or a second live REFUND of one " +
      "payment: rejected PAYOUT_CONFLICT. A REFUND not covered by a SUCCEEDED payment of its agreement " +
      "(sourcePaymentId): rejected REFUND_NOT_COVERED",
    tags: ["internal"],
    access: "service",
    body: payoutBatch,
    bodyExample: exampleBatch(payoutRequested, { id: "41", createdAt: "2026-11-29T17:40:00.000Z" }),
    responses: {
      200: {
        description: "one result per message",
        body: payoutResults,
        example: {
          results: [{ id: "41", outcome: "ok", result: { status: "PENDING", settledAt: null, failureCode: null } }],
        },
      },
    },
  },
];
