import Router from "@koa/router";
import { openApiDocument } from "@loans/shared/http/openapi";
import { meDocs } from "@loans/shared/kit/me.routes";
import { agreementDocs } from "./agreements/agreements.routes.ts";
import { disburseDocs } from "./agreements/disburse.routes.ts";
import { withdrawDocs } from "./agreements/withdraw.routes.ts";
import { businessDateDocs } from "./business-date/business-date.routes.ts";
import { clientDocs } from "./clients/clients.routes.ts";
import { decisionDocs } from "./decisions/decisions.routes.ts";
import { payoutResultDocs } from "./disbursement/payout-results.routes.ts";
import { loanDocs } from "./loans/loans.docs.ts";
import { paymentDocs } from "./payments/payments.routes.ts";
import { productDocs } from "./products/products.routes.ts";

/** GET /openapi.json: built once from the zod schemas that validate the requests. */
export function openApiRoutes(): Router {
  const document = openApiDocument(
    {
      title: "Product Engine",
      version: "1.0.0",
      server: "http://127.0.0.1:3001",
      description:
        "Loan products, clients, agreements and their payment schedules. An agreement goes NEW → IN_PROGRESS → " +
        "APPROVED | REJECTED, and to WITHDRAWN (final) from NEW, IN_PROGRESS or APPROVED; once disbursed, APPROVED → " +
        "DISBURSING → ACTIVE → CLOSED, or DISBURSING → DISBURSEMENT_FAILED (final).",
    },
    [
      ...productDocs,
      ...agreementDocs,
      ...withdrawDocs,
      ...disburseDocs,
      ...payoutResultDocs,
      ...loanDocs,
      ...paymentDocs,
      ...clientDocs,
      ...decisionDocs,
      ...businessDateDocs,
      ...meDocs,
    ],
  );
  const router = new Router();
  router.get("/openapi.json", (ctx) => {
    ctx.body = document;
  });
  return router;
}
