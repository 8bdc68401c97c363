import Router from "@koa/router";
import { approvalDocs } from "@loans/shared/approvals";
import { openApiDocument, type RouteDoc } from "@loans/shared/http/openapi";
import { kitRouteDocs } from "@loans/shared/kit/app";
import { agreementDocs } from "./agreements/agreements.routes.ts";
import { disburseDocs } from "./agreements/disburse.routes.ts";
import { termsDocs } from "./agreements/terms.routes.ts";
import { withdrawDocs } from "./agreements/withdraw.routes.ts";
import { businessDateDocs } from "./business-date/business-date.routes.ts";
import { calendarDocs } from "./calendar/calendar.routes.ts";
import { clientDocs } from "./clients/clients.routes.ts";
import { decisionDocs } from "./decisions/decisions.routes.ts";
import { payoutResultDocs } from "./disbursement/payout-results.routes.ts";
import { loanDocs } from "./loans/loans.docs.ts";
import { paymentDocs } from "./payments/payments.routes.ts";
import { productDocs } from "./products/products.routes.ts";

/** Every PE route's declaration: its document, and the roles the kit's access guard enforces. */
export const peRouteDocs: readonly RouteDoc[] = [
  ...productDocs,
  ...agreementDocs,
  ...termsDocs,
  ...withdrawDocs,
  ...disburseDocs,
  ...payoutResultDocs,
  ...loanDocs,
  ...paymentDocs,
  ...clientDocs,
  ...decisionDocs,
  ...businessDateDocs,
  ...calendarDocs,
  ...approvalDocs,
];

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
    [...peRouteDocs, ...kitRouteDocs],
  );
  const router = new Router();
  router.get("/openapi.json", (ctx) => {
    ctx.body = document;
  });
  return router;
}
