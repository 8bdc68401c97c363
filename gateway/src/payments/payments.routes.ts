import { randomUUID } from "node:crypto";
import Router from "@koa/router";
import { AppError, notFound, parseInput } from "@loans/shared";
import { auditAction, describeAudit } from "@loans/shared/audit";
import { idempotency } from "@loans/shared/http/idempotency";
import { issuesToDetails } from "@loans/shared/http/validate";
import type { Kysely } from "kysely";
import type { PgBoss } from "pg-boss";
import type { GatewayDB } from "../db.ts";
import { gatewayError } from "../errors.ts";
import { decodeCursor, toPage } from "../list-cursor.ts";
import { findPayment, listPayments } from "./payments.repository.ts";
import { createPaymentBody, createPaymentHeaders, listPaymentsQuery, paymentParams } from "./payments.schemas.ts";
import { createPayment } from "./payments.service.ts";
import { toPaymentView } from "./payments.views.ts";

export interface PaymentRoutesDeps {
  db: Kysely<GatewayDB>;
  boss: PgBoss;
  /** Called once a new payment has committed: its bank job is there to fetch. */
  wakeBank: () => void;
}

export function paymentRoutes(deps: PaymentRoutesDeps): Router {
  const { db } = deps;
  const router = new Router();
  const keys = idempotency(db);

  router.post("/payments", async (ctx) => {
    const key = ctx.get("Idempotency-Key");
    if (!key) {
      throw gatewayError("IDEMPOTENCY_KEY_REQUIRED", "a payment needs an Idempotency-Key", [
        { path: "Idempotency-Key", message: "required: retry with the same key, never pay twice" },
      ]);
    }
    const headers = createPaymentHeaders.safeParse({ "Idempotency-Key": key });
    const body = createPaymentBody.safeParse(ctx.request.body);
    if (!headers.success || !body.success) {
      const details = issuesToDetails([...(headers.error?.issues ?? []), ...(body.error?.issues ?? [])]);
      throw new AppError("VALIDATION_FAILED", `request is invalid: ${details.length} problem(s)`, details);
    }
    const target = `agreement:${body.data.agreementId.toLowerCase()}`;
    describeAudit(ctx, { action: "payment.record", target });
    const { replayed } = await keys.run(ctx, { key, input: body.data }, async (trx) => {
      const answer = await createPayment(trx, deps.boss, body.data, randomUUID());
      // An operator recording a client's payment (the console, on PE's manual clock) is named in the trail.
      const summary = { paymentId: answer.resourceId, amount: body.data.amount, purpose: body.data.purpose };
      await auditAction(trx, ctx, { action: "payment.record", target, summary, status: 202 });
      return answer;
    });
    if (!replayed) deps.wakeBank();
  });

  router.get("/payments/:id", async (ctx) => {
    const { id } = parseInput(paymentParams, ctx.params, "path");
    const row = await findPayment(db, id);
    if (!row) throw notFound(`payment ${id}`);
    ctx.body = toPaymentView(row);
  });

  router.get("/payments", async (ctx) => {
    const q = parseInput(listPaymentsQuery, ctx.query, "query");
    const rows = await listPayments(db, {
      agreementId: q.agreementId,
      status: q.status,
      limit: q.limit,
      after: q.cursor === undefined ? undefined : decodeCursor(q.cursor),
    });
    ctx.body = toPage(rows, q.limit, toPaymentView);
  });

  return router;
}
