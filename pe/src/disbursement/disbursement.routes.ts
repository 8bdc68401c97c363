import Router from "@koa/router";
import type { Metrics } from "@loans/shared";
import { idempotency, idempotencyKeyHeader } from "@loans/shared/http/idempotency";
import type { RouteDoc } from "@loans/shared/http/openapi";
import { batchEndpoint, messageBatch } from "@loans/shared/outbox";
import type { Kysely } from "kysely";
import { z } from "zod";
import { agreementResponse } from "../agreements/agreements.schemas.ts";
import { loadAgreement } from "../agreements/agreements.service.ts";
import type { BusinessClock } from "../lifecycle/business-date.ts";
import type { PeDB } from "../db.ts";
import { notFoundUnless, parseParts, pathId } from "../http/inputs.ts";
import { disbursingAgreementExample } from "../openapi.examples.ts";
import {
  disburseBody,
  PAYOUT_SETTLED_TOPIC,
  type PayoutSettledPayload,
  payoutSettledPayload,
} from "./disbursement.schemas.ts";
import { applyPayoutResult, disburseAgreement } from "./disbursement.service.ts";

export interface DisbursementRouteDeps {
  db: Kysely<PeDB>;
  clock: BusinessClock;
  /** Called once a transaction that wrote outbox rows has committed: wakes the relay. */
  afterCommit: () => void;
  metrics?: Metrics;
}

/**
 * POST /agreements/{id}/disburse (the client) and POST /internal/payout-results (PG's outbox, signed).
 * The disbursement is idempotent by itself: the same account answers 202 with the agreement as it is now.
 */
export function disbursementRoutes(deps: DisbursementRouteDeps): Router {
  const { db } = deps;
  const router = new Router();
  const keys = idempotency(db);
  router.post("/agreements/:id/disburse", async (ctx) => {
    // The body first (LIFECYCLE §8.12): a bad body is a 400 whatever the agreement.
    const [headers, input] = parseParts(
      { schema: disburseHeaders, value: { "Idempotency-Key": ctx.get("Idempotency-Key") || undefined } },
      { schema: disburseBody, value: ctx.request.body },
    );
    const id = pathId(ctx.params.id, "agreement");
    let moved = false;
    // Without a key the disbursement is idempotent by itself (the same account answers as the first time);
    // with one, a repeat answers the first answer byte for byte, and the key with another body is a 422.
    await keys.run(ctx, { key: headers["Idempotency-Key"], input }, async (trx) => {
      ({ moved } = await disburseAgreement(trx, id, input.destination.accountNumber));
      const body = notFoundUnless(await loadAgreement(trx, id, deps.clock), "agreement");
      return { status: 202, body, resourceId: id };
    });
    if (moved) deps.afterCommit();
  });

  const intake = batchEndpoint(
    db,
    {
      [PAYOUT_SETTLED_TOPIC]: {
        payload: payoutSettledPayload,
        async handle(trx, message) {
          const p = message.payload as PayoutSettledPayload;
          const agreementStatus = await applyPayoutResult(trx, p.agreementId.toLowerCase(), p, deps.clock);
          return { outcome: "ok", result: { agreementStatus } };
        },
      },
    },
    { metrics: deps.metrics },
  );
  router.post("/internal/payout-results", async (ctx) => {
    await intake(ctx);
    // A PAID or FAILED applied now wrote agreement.status-changed: deliver it without waiting.
    deps.afterCommit();
  });
  return router;
}

const idParam = z.object({ id: z.uuid() });
const disburseHeaders = z.object({ "Idempotency-Key": idempotencyKeyHeader });

export const disbursementDocs: RouteDoc[] = [
  {
    method: "post",
    path: "/agreements/{id}/disburse",
    operationId: "disburseAgreement",
    summary:
      "The client asks for the money to this account: APPROVED → DISBURSING, and PG is told to pay out the " +
      "disbursement amount. PAID makes it ACTIVE (the schedule re-dated from the disbursement date), FAILED " +
      "makes it DISBURSEMENT_FAILED. A repeat with the same account answers 202 with the agreement as it is now",
    tags: ["agreements"],
    params: idParam,
    headers: disburseHeaders,
    body: disburseBody,
    bodyExample: { destination: { accountNumber: "40817810000000000001" } },
    responses: {
      202: {
        description:
          "accepted: the agreement, DISBURSING or later; a replay of an earlier request with this Idempotency-Key " +
          "and body answers the same, with Idempotent-Replayed: true",
        body: agreementResponse,
        example: disbursingAgreementExample,
        headers: { "Idempotent-Replayed": "`true` when this answers a replay of an earlier request with the key" },
      },
      404: { description: "no such agreement", errors: [{ code: "NOT_FOUND", message: "agreement not found" }] },
      409: {
        description: "not APPROVED, or already ordered to another account",
        errors: [
          {
            code: "INVALID_TRANSITION",
            message: "the disbursement was already ordered to another account",
            details: [{ path: "destination.accountNumber", message: "differs from the account already ordered" }],
          },
          {
            code: "IDEMPOTENCY_KEY_IN_USE",
            message: "a request with this Idempotency-Key is still being processed",
            details: [{ path: "Idempotency-Key", message: "in use by a request not finished yet; retry shortly" }],
          },
        ],
      },
      422: {
        description: "the Idempotency-Key was used with another request",
        errors: [
          {
            code: "IDEMPOTENCY_KEY_REUSED",
            message: "this Idempotency-Key was used with another request",
            details: [{ path: "Idempotency-Key", message: "already used with another method, path or body" }],
          },
        ],
      },
    },
  },
  {
    method: "post",
    path: "/internal/payout-results",
    operationId: "receivePayoutResults",
    summary:
      "Payout outcomes from PG's outbox (payout.settled), each applied once; answered with the agreement's status",
    tags: ["internal"],
    security: "service",
    body: messageBatch(PAYOUT_SETTLED_TOPIC, payoutSettledPayload),
    bodyExample: {
      messages: [
        {
          id: "12",
          topic: "payout.settled",
          aggregateId: "724ef517-8379-422b-bf91-e285887949d9",
          payload: {
            payoutId: "5f1c3d0e-8a7b-4c2d-9e6f-0a1b2c3d4e5f",
            kind: "DISBURSEMENT",
            agreementId: "724ef517-8379-422b-bf91-e285887949d9",
            amount: "300000.00",
            status: "PAID",
            settledAt: "2026-11-29T17:40:00.120Z",
          },
          createdAt: "2026-11-29T17:40:00.130Z",
        },
      ],
    },
    responses: {
      200: { description: "one result per message, the agreement's status: `{agreementStatus}`" },
    },
  },
];
