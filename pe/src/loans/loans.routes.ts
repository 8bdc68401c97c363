import Router from "@koa/router";
import type { Metrics } from "@loans/shared";
import { batchEndpoint } from "@loans/shared/outbox";
import type { Kysely } from "kysely";
import type { BusinessClock } from "../lifecycle/business-date.ts";
import type { PeDB } from "../db.ts";
import { peError } from "../errors.ts";
import { notFoundUnless, parseRequest, pathId } from "../http/inputs.ts";
import { payoffQuote, QuoteNotAvailableError } from "../servicing/index.ts";
import { corePayments, findLoan, listPayments } from "../servicing-store/loan.repository.ts";
import { PAYMENT_SUCCEEDED_TOPIC, paymentSucceededHandler } from "../payments/payments.intake.ts";
import { listScheduleVersions } from "../servicing-store/schedule-versions.repository.ts";
import { quoteQuery, transactionsQuery } from "./loans.docs.ts";
import { listTransactions } from "../servicing-store/transactions.repository.ts";

export interface ServicingRouteDeps {
  db: Kysely<PeDB>;
  clock: BusinessClock;
  afterCommit: () => void;
  metrics?: Metrics;
}

/**
 * POST /internal/payments (PG's outbox, signed), GET /agreements/{id}/payoff-quote and
 * GET /agreements/{id}/transactions (the ledger, journal by journal).
 */
export function servicingRoutes(deps: ServicingRouteDeps): Router {
  const { db, clock } = deps;
  const router = new Router();
  const intake = batchEndpoint(
    db,
    { [PAYMENT_SUCCEEDED_TOPIC]: paymentSucceededHandler(clock) },
    {
      metrics: deps.metrics,
    },
  );
  router.post("/internal/payments", async (ctx) => {
    await intake(ctx);
    // A payment that closed the loan wrote agreement.status-changed and maybe a refund: send them now.
    deps.afterCommit();
  });

  router.get("/agreements/:id/payoff-quote", async (ctx) => {
    const q = parseRequest(quoteQuery, ctx.query, "query");
    const id = pathId(ctx.params.id, "agreement");
    const loan = notFoundUnless(await findLoan(db, id), "agreement");
    const today = await clock.today(db);
    if (loan.status !== "ACTIVE" || !loan.terms)
      throw peError("QUOTE_NOT_AVAILABLE", `agreement is ${loan.status}; only an ACTIVE loan has a payoff quote`, [
        { path: "status", message: `is ${loan.status}` },
      ]);
    try {
      const quote = payoffQuote(loan.terms, corePayments(await listPayments(db, id)), today, q.date ?? today);
      ctx.body = { agreementId: id, ...quote };
    } catch (err) {
      if (!(err instanceof QuoteNotAvailableError)) throw err;
      throw peError("QUOTE_NOT_AVAILABLE", err.message, [{ path: "date", message: err.message }]);
    }
  });

  router.get("/agreements/:id/schedule-versions", async (ctx) => {
    const id = pathId(ctx.params.id, "agreement");
    notFoundUnless(await findLoan(db, id), "agreement");
    ctx.body = { items: await listScheduleVersions(db, id) };
  });

  router.get("/agreements/:id/transactions", async (ctx) => {
    const q = parseRequest(transactionsQuery, ctx.query, "query");
    const id = pathId(ctx.params.id, "agreement");
    notFoundUnless(await findLoan(db, id), "agreement");
    ctx.body = await listTransactions(db, id, { limit: q.limit, after: q.cursor });
  });
  return router;
}
