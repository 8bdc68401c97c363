import Router from "@koa/router";
import { openApiDocument } from "@loans/shared/http/openapi";
import { agreementDocs } from "./agreements/agreements.routes.ts";
import { clientDocs } from "./clients/clients.routes.ts";
import { decisionDocs } from "./decisions/decisions.routes.ts";
import { productDocs } from "./products/products.routes.ts";

/** GET /openapi.json: built once from the zod schemas that validate the requests. */
export function openApiRoutes(): Router {
  const document = openApiDocument(
    {
      title: "Product Engine",
      version: "1.0.0",
      description: "Loan products, clients, agreements and their payment schedules.",
    },
    [...productDocs, ...agreementDocs, ...clientDocs, ...decisionDocs],
  );
  const router = new Router();
  router.get("/openapi.json", (ctx) => {
    ctx.body = document;
  });
  return router;
}
