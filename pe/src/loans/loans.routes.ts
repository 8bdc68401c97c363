import Router from "@koa/router";
import type { Kysely } from "kysely";
import type { PeDB } from "../db.ts";
import { peError } from "../errors.ts";
import { notFoundUnless, parseRequest, pathId } from "../http/inputs.ts";
import type { BusinessClock } from "../lifecycle/business-date.ts";
import { payoffQuote, QuoteNotAvailableError } from "../servicing/index.ts";
import { corePayments, findLoan, listPayments } from "../servicing-store/loan.repository.ts";
import { listScheduleVersions } from "../servicing-store/schedule-versions.repository.ts";
import { listTransactions } from "../servicing-store/transactions.repository.ts";
import { quoteQuery, transactionsQuery } from "./loans.docs.ts";

export interface LoanRouteDeps {
  db: Kysely<PeDB>;
  clock: BusinessClock;
}

/**
 * A serviced loan's reads: GET /agreements/{id}/payoff-quote, GET /agreements/{id}/schedule-versions and
 * GET /agreements/{id}/transactions (the ledger, journal by journal).
 */
export function loanRoutes(deps: LoanRouteDeps): Router {
  const { db, clock } = deps;
  const router = new Router();
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
