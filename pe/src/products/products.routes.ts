import Router from "@koa/router";
import { AppError } from "@loans/shared";
import { type Approvals, pendingApprovalExample, pendingApprovalSchema } from "@loans/shared/approvals";
import { describeAudit } from "@loans/shared/audit";
import type { RouteDoc } from "@loans/shared/http/openapi";
import type { Kysely, Transaction } from "kysely";
import { z } from "zod";
import type { PeDB } from "../db.ts";
import { peError } from "../errors.ts";
import { parseRequest } from "../http/inputs.ts";
import { productExample, productRequestExample } from "../openapi.examples.ts";
import { productCode } from "../records/product-code.ts";
import { findProduct, insertProduct, listProducts } from "../records/products.repository.ts";
import {
  type CreateProductInput,
  createProductBody,
  productListResponse,
  productResponse,
  toProductResponse,
} from "./products.schemas.ts";

export function productRoutes(deps: { db: Kysely<PeDB>; approvals: Approvals<PeDB> }): Router {
  const { db } = deps;
  const router = new Router();
  // Four-eyes: POST /products only asks; a second admin's approval creates the product, as asked.
  deps.approvals.registerApprovalAction("product.create", {
    role: "admin",
    run: (trx, request) => createProduct(trx, parseRequest(createProductBody, request)),
  });

  // Role admin, enforced by the kit's access guard from productDocs.
  router.post("/products", async (ctx) => {
    const p = parseRequest(createProductBody, ctx.request.body);
    const target = `product:${p.code}`;
    describeAudit(ctx, { action: "approval.request", target });
    // Refused at once when it could never be approved; checked again when it is (another may come first).
    if (await findProduct(db, p.code)) throw productExists(p.code);
    const answer = await db
      .transaction()
      .execute((trx) => deps.approvals.request(trx, ctx, { action: "product.create", target, request: p }));
    ctx.status = 202;
    ctx.set("Location", `/admin/approvals/${answer.approval.id}`);
    ctx.body = answer;
  });

  router.get("/products", async (ctx) => {
    ctx.body = { items: (await listProducts(db)).map(toProductResponse) };
  });

  router.get("/products/:code", async (ctx) => {
    // A code that cannot name a product (a NUL, which PostgreSQL's text refuses, among them) is not found.
    const code = productCode().safeParse(ctx.params.code);
    const row = code.success ? await findProduct(db, code.data) : undefined;
    if (!row) throw new AppError("NOT_FOUND", `product ${ctx.params.code} not found`);
    ctx.body = toProductResponse(row);
  });

  return router;
}

const productExists = (code: string) =>
  peError("PRODUCT_EXISTS", `product ${code} exists`, [{ path: "code", message: "exists" }]);

async function createProduct(trx: Transaction<PeDB>, p: CreateProductInput) {
  const row = await insertProduct(trx, {
    code: p.code,
    name: p.name,
    amortization: p.amortization,
    min_term_months: p.minTermMonths,
    max_term_months: p.maxTermMonths,
    min_principal: p.minPrincipal,
    max_principal: p.maxPrincipal,
    min_interest_rate: p.minInterestRate,
    max_interest_rate: p.maxInterestRate,
    min_origination_fee: p.minOriginationFee,
    max_origination_fee: p.maxOriginationFee,
    penalty_rate: p.penaltyRate,
    penalty_grace_days: p.penaltyGraceDays,
    psk_ceiling: p.pskCeiling,
    due_date_shift: p.dueDateShift,
  });
  if (!row) throw productExists(p.code);
  return toProductResponse(row);
}

export const productDocs: RouteDoc[] = [
  {
    method: "post",
    path: "/products",
    access: { role: "admin" },
    operationId: "createProduct",
    summary:
      "Ask for a loan product (an admin call, four-eyes): answers 202 with a PENDING approval; the product is " +
      "created, exactly as asked, when another admin approves it (POST /admin/approvals/{id}/approve) within " +
      "APPROVAL_TTL_HOURS. A code that exists by then fails the approval (409 PRODUCT_EXISTS, the approval FAILED)",
    tags: ["products"],
    body: createProductBody,
    bodyExample: productRequestExample,
    responses: {
      202: {
        description: "asked: the approval waiting for a second admin; nothing is created yet",
        body: pendingApprovalSchema,
        example: pendingApprovalExample,
        headers: { Location: "the approval: `/admin/approvals/{id}`" },
      },
      400: { description: "invalid fields, every one listed" },
      409: {
        description: "a product with this code exists already",
        errors: [
          { code: "PRODUCT_EXISTS", message: "product CL2.0 exists", details: [{ path: "code", message: "exists" }] },
        ],
      },
    },
  },
  {
    method: "get",
    path: "/products",
    access: { role: "viewer", apiKey: true },
    operationId: "listProducts",
    summary: "List loan products",
    tags: ["products"],
    responses: {
      200: { description: "all products, by code", body: productListResponse, example: { items: [productExample] } },
    },
  },
  {
    method: "get",
    path: "/products/{code}",
    access: { role: "viewer", apiKey: true },
    operationId: "getProduct",
    summary: "One loan product",
    tags: ["products"],
    params: z.object({ code: z.string().describe("the product's code, such as CL1.0") }),
    responses: {
      200: { description: "the product", body: productResponse, example: productExample },
      404: { description: "no such product", errors: [{ code: "NOT_FOUND", message: "product CL9.9 not found" }] },
    },
  },
];
