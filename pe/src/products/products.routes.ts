import Router from "@koa/router";
import { AppError, requireAdmin } from "@loans/shared";
import type { RouteDoc } from "@loans/shared/http/openapi";
import type { Kysely } from "kysely";
import { z } from "zod";
import type { PeDB } from "../db.ts";
import { peError } from "../errors.ts";
import { parseRequest } from "../http/inputs.ts";
import { productExample, productRequestExample } from "../openapi.examples.ts";
import { productCode } from "../records/product-code.ts";
import { findProduct, insertProduct, listProducts } from "../records/products.repository.ts";
import { createProductBody, productListResponse, productResponse, toProductResponse } from "./products.schemas.ts";

export function productRoutes(deps: { db: Kysely<PeDB>; adminToken: string | undefined }): Router {
  const { db } = deps;
  const router = new Router();

  router.post("/products", requireAdmin(deps.adminToken), async (ctx) => {
    const p = parseRequest(createProductBody, ctx.request.body);
    const row = await insertProduct(db, {
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
    });
    if (!row) throw peError("PRODUCT_EXISTS", `product ${p.code} exists`, [{ path: "code", message: "exists" }]);
    ctx.status = 201;
    ctx.set("Location", `/products/${encodeURIComponent(row.code)}`);
    ctx.body = toProductResponse(row);
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

export const productDocs: RouteDoc[] = [
  {
    method: "post",
    path: "/products",
    operationId: "createProduct",
    summary: "Create a loan product (an admin call)",
    tags: ["products"],
    security: "admin",
    body: createProductBody,
    bodyExample: productRequestExample,
    responses: {
      201: {
        description: "created",
        body: productResponse,
        example: { ...productExample, ...productRequestExample },
        headers: { Location: "the new product: `/products/{code}`" },
      },
      400: { description: "invalid fields, every one listed" },
      409: {
        description: "a product with this code exists",
        errors: [
          { code: "PRODUCT_EXISTS", message: "product CL2.0 exists", details: [{ path: "code", message: "exists" }] },
        ],
      },
    },
  },
  {
    method: "get",
    path: "/products",
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
