import Router from "@koa/router";
import { auditAction, describeAudit } from "@loans/shared/audit";
import type { RouteDoc } from "@loans/shared/http/openapi";
import type { Kysely } from "kysely";
import { z } from "zod";
import type { PeDB } from "../db.ts";
import { notFoundUnless, parseRequest, pathId } from "../http/inputs.ts";
import type { BusinessClock } from "../lifecycle/business-date.ts";
import { withdrawnAgreementExample } from "../openapi.examples.ts";
import { agreementResponse } from "./agreements.schemas.ts";
import { loadAgreement } from "./agreements.service.ts";
import { withdrawAgreement } from "./withdraw.service.ts";

export interface WithdrawRouteDeps {
  db: Kysely<PeDB>;
  clock: BusinessClock;
  /** Called once a withdrawal (and so its outbox row) has committed: wakes the relay. */
  afterCommit: () => void;
}

/** No body, or an empty JSON object: there is nothing to say when taking an application back. */
export const withdrawBody = z.strictObject({}).optional();

/** POST /agreements/{id}/withdraw: idempotent, so a client that lost the answer simply asks again. */
export function withdrawRoutes(deps: WithdrawRouteDeps): Router {
  const { db } = deps;
  const router = new Router();
  router.post("/agreements/:id/withdraw", async (ctx) => {
    const id = pathId(ctx.params.id, "agreement");
    parseRequest(withdrawBody, ctx.request.body, "body");
    const target = `agreement:${id}`;
    describeAudit(ctx, { action: "agreement.withdraw", target });
    const { moved } = await db.transaction().execute(async (trx) => {
      const r = await withdrawAgreement(trx, id);
      await auditAction(trx, ctx, { action: "agreement.withdraw", target, summary: { moved: r.moved } });
      return r;
    });
    if (moved) deps.afterCommit();
    ctx.status = 200;
    ctx.body = notFoundUnless(await loadAgreement(db, id, deps.clock), "agreement");
  });
  return router;
}

export const withdrawDocs: RouteDoc[] = [
  {
    method: "post",
    path: "/agreements/{id}/withdraw",
    access: { role: "officer", apiKey: true },
    summary:
      "The client takes the application back while no money has moved: NEW, IN_PROGRESS or APPROVED become " +
      "WITHDRAWN (final; a later decision is ignored) and Origination is told. No body, or `{}`. A repeat " +
      "answers the same.",
    operationId: "withdrawAgreement",
    tags: ["agreements"],
    params: z.object({ id: z.uuid() }),
    responses: {
      200: {
        description: "the agreement, WITHDRAWN (now or before)",
        body: agreementResponse,
        example: withdrawnAgreementExample,
      },
      400: {
        description: "a body that is not empty",
        errors: [
          {
            code: "VALIDATION_FAILED",
            message: "body is invalid: 1 problem(s)",
            details: [{ path: "reason", message: "is not a known field" }],
          },
        ],
      },
      404: { description: "no such agreement", errors: [{ code: "NOT_FOUND", message: "agreement not found" }] },
      409: {
        description: "the agreement is REJECTED: there is nothing to withdraw",
        errors: [
          {
            code: "INVALID_TRANSITION",
            message: "agreement is REJECTED and can no longer be withdrawn",
            details: [{ path: "status", message: "is REJECTED", status: "REJECTED" }],
          },
        ],
      },
    },
  },
];
