import Router from "@koa/router";
import { auditAction, describeAudit } from "@loans/shared/audit";
import { idempotency, idempotencyKeyHeader } from "@loans/shared/http/idempotency";
import type { RouteDoc } from "@loans/shared/http/openapi";
import type { Kysely } from "kysely";
import { z } from "zod";
import type { PeDB } from "../db.ts";
import { notFoundUnless, parseParts, pathId } from "../http/inputs.ts";
import type { BusinessClock } from "../lifecycle/business-date.ts";
import { disbursingAgreementExample } from "../openapi.examples.ts";
import { agreementResponse } from "./agreements.schemas.ts";
import { loadAgreement } from "./agreements.service.ts";
import { disburseAgreement } from "./disburse.service.ts";

export interface DisburseRouteDeps {
  db: Kysely<PeDB>;
  clock: BusinessClock;
  /** Called once a disbursement (and so its outbox row) has committed: wakes the relay. */
  afterCommit: () => void;
}

export const disburseBody = z.strictObject({
  destination: z.strictObject({
    accountNumber: z.string().regex(/^\d{20}$/, "must be 20 digits"),
  }),
});

/**
 * POST /agreements/{id}/disburse: the client asks for the money. The disbursement is idempotent by itself: the same account answers 202 with the agreement as it is now.
 */
export function disburseRoutes(deps: DisburseRouteDeps): Router {
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
    const target = `agreement:${id}`;
    describeAudit(ctx, { action: "agreement.disburse", target });
    // Without a key the disbursement is idempotent by itself (the same account answers as the first time);
    // with one, a repeat answers the first answer byte for byte, and the key with another body is a 422.
    await keys.run(ctx, { key: headers["Idempotency-Key"], input }, async (trx) => {
      ({ moved } = await disburseAgreement(trx, id, input.destination.accountNumber));
      // The account's last four digits tell two orders apart; the whole number is the agreement's business.
      const account = `…${input.destination.accountNumber.slice(-4)}`;
      await auditAction(trx, ctx, { action: "agreement.disburse", target, summary: { account, moved }, status: 202 });
      const body = notFoundUnless(await loadAgreement(trx, id, deps.clock), "agreement");
      return { status: 202, body, resourceId: id };
    });
    if (moved) deps.afterCommit();
  });

  return router;
}

const idParam = z.object({ id: z.uuid() });
const disburseHeaders = z.object({ "Idempotency-Key": idempotencyKeyHeader });

export const disburseDocs: RouteDoc[] = [
  {
    method: "post",
    path: "/agreements/{id}/disburse",
    access: { role: "officer", apiKey: true },
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
];
