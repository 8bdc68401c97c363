import Router from "@koa/router";
import { type Metrics, notFound, parseInput } from "@loans/shared";
import type { RouteDoc } from "@loans/shared/http/openapi";
import { batchEndpoint } from "@loans/shared/outbox/receiver";
import type { Kysely } from "kysely";
import type PgBoss from "pg-boss";
import type { GatewayDB } from "../db.ts";
import { payoutRequestedHandler, REQUESTED_TOPIC } from "./payouts.intake.ts";
import { decodeCursor, encodeCursor, toPayoutView } from "./payouts.mappers.ts";
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
  const intake = batchEndpoint(deps.db, { [REQUESTED_TOPIC]: payoutRequestedHandler(deps) }, { metrics: deps.metrics });

  // Service auth under /internal/ has already checked the signature (createBaseApp).
  router.post("/internal/payouts", async (ctx) => {
    await intake(ctx);
    deps.wakeBank();
  });

  router.get("/payouts/:id", async (ctx) => {
    const { id } = parseInput(payoutParams, ctx.params, "path");
    const row = await findPayout(deps.db, id.toLowerCase());
    if (!row) throw notFound(`payout ${id}`);
    ctx.body = toPayoutView(row);
  });

  router.get("/payouts", async (ctx) => {
    const q = parseInput(listPayoutsQuery, ctx.query, "query");
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    const rows = await listPayouts(deps.db, {
      agreementId: q.agreementId?.toLowerCase(),
      status: q.status,
      kind: q.kind,
      limit: q.limit,
      after,
    });
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    ctx.body = {
      items: page.map(toPayoutView),
      nextCursor: rows.length > q.limit && last ? encodeCursor({ createdKey: last.created_key, id: last.id }) : null,
    };
  });

  return router;
}

export const payoutRouteDocs: RouteDoc[] = [
  {
    method: "get",
    path: "/payouts/{id}",
    summary: "One payout: PENDING → IN_TRANSIT → PAID | FAILED",
    tags: ["payouts"],
    params: payoutParams,
    responses: {
      200: { description: "the payout", body: payoutView },
      400: { description: "the id is not a uuid" },
      404: { description: "no such payout" },
    },
  },
  {
    method: "get",
    path: "/payouts",
    summary: "Payouts, newest first, a page at a time",
    tags: ["payouts"],
    query: listPayoutsQuery,
    responses: {
      200: { description: "a page; nextCursor is null on the last one", body: payoutPage },
      400: { description: "bad filter, limit or cursor" },
    },
  },
  {
    method: "post",
    path: "/internal/payouts",
    summary:
      "Payout orders from PE's outbox; idempotent by payout id, each answered with the payout's current status. " +
      "The same id with other data, or a second DISBURSEMENT for one agreement: rejected PAYOUT_CONFLICT",
    tags: ["internal"],
    security: "service",
    body: payoutBatch,
    responses: {
      200: { description: "one result per message", body: payoutResults },
      400: { description: "the batch envelope is malformed" },
      401: { description: "missing or wrong signature; nothing is written" },
    },
  },
];
