import Router from "@koa/router";
import type { Context } from "koa";
import { z } from "zod";
import { AppError } from "../http/errors.ts";
import type { RouteDoc } from "../http/openapi.ts";
import { parseInput } from "../http/validate.ts";
import { operatorOf } from "./access.ts";
import { OperatorExists, type OperatorRegistry, operatorName, roleSchema } from "./registry.ts";

/**
 * The operators' admin API, the same on every service (one registry behind them all): add an operator
 * (its first token shown once), list them, issue another token, revoke one. Role admin (operatorRouteDocs).
 */
export function operatorRoutes(deps: { registry?: OperatorRegistry }): Router {
  const router = new Router({ prefix: "/admin/operators" });
  const registry = (): OperatorRegistry => {
    if (!deps.registry) throw new AppError("NOT_FOUND", "this service has no operator registry");
    return deps.registry;
  };

  router.post("/", async (ctx) => {
    const body = parseInput(addBody, ctx.request.body, "body");
    try {
      const added = await registry().addOperator(body, who(ctx));
      ctx.status = 201;
      ctx.set("Location", `/admin/operators/${added.operator.id}`);
      ctx.body = added;
    } catch (err) {
      if (!(err instanceof OperatorExists)) throw err;
      throw new AppError("CONFLICT", err.message, [{ path: "name", message: "exists" }]);
    }
  });

  router.get("/", async (ctx) => {
    ctx.body = { items: await registry().listOperators() };
  });

  router.get("/:id", async (ctx) => {
    const id = uuidParam(ctx.params.id, "operator");
    const found = await registry().findOperator(id);
    if (!found) throw new AppError("NOT_FOUND", `operator ${id} not found`);
    ctx.body = found;
  });

  router.post("/:id/tokens", async (ctx) => {
    const id = uuidParam(ctx.params.id, "operator");
    const token = await registry().issueToken(id);
    if (!token) throw new AppError("NOT_FOUND", `operator ${id} not found`);
    ctx.status = 201;
    ctx.set("Location", `/admin/operators/${id}/tokens/${token.id}`);
    ctx.body = { token };
  });

  router.delete("/:id/tokens/:tokenId", async (ctx) => {
    const id = uuidParam(ctx.params.id, "operator");
    const tokenId = uuidParam(ctx.params.tokenId, "token");
    if (!(await registry().revokeToken(tokenId, id))) {
      throw new AppError("NOT_FOUND", `no live token ${tokenId} of operator ${id}`);
    }
    ctx.status = 204;
  });

  return router;
}

/** Who is acting, for `created_by`: the guard's operator, or `anonymous` where none is required (development). */
const who = (ctx: Context) => operatorOf(ctx)?.name ?? "anonymous";

// A path id that is no uuid names nothing: a 404, as the OpenAPI builder documents it.
function uuidParam(value: string | undefined, what: string): string {
  const r = z.uuid().safeParse(value);
  if (!r.success) throw new AppError("NOT_FOUND", `${what} ${value} not found`);
  return r.data;
}

const addBody = z.strictObject({ name: operatorName, role: roleSchema });
const tokenSchema = z
  .object({
    id: z.uuid(),
    display: z.string().describe("the token's non-secret prefix and its last four characters"),
    createdAt: z.iso.datetime(),
    revokedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: "OperatorToken" });
const issuedSchema = tokenSchema
  .extend({ token: z.string().describe("the whole token: shown this once, never stored") })
  .meta({ id: "IssuedOperatorToken" });
const operatorSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    role: roleSchema,
    createdAt: z.iso.datetime(),
    createdBy: z.string(),
    tokens: z.array(tokenSchema),
  })
  .meta({ id: "Operator" });

const tags = ["operators"];
const admin = { role: "admin" } as const;
const ID = "4f0c2b7e-9d1a-4e55-8a0b-2c7d1e9f3a61";
const TOKEN_ID = "9b2e4c1d-7f3a-4b8e-a1d5-6c0f2e8b4a73";
const tokenExample = {
  id: TOKEN_ID,
  token: `op_${TOKEN_ID.replaceAll("-", "")}_q3Jd0xWm9Lr2Tt8Vb4Nc6Yh1Ks5Pf7Ga0Ue3Xi9Ow2E`,
  display: `op_${TOKEN_ID.replaceAll("-", "")}_…Ow2E`,
  createdAt: "2025-03-15T09:30:00.000Z",
  revokedAt: null,
};
const { token: _secret, ...listedToken } = tokenExample;
const operatorExample = {
  id: ID,
  name: "anna.officer",
  role: "officer",
  createdAt: "2025-03-15T09:30:00.000Z",
  createdBy: "bootstrap-admin",
  tokens: [listedToken],
};
const notFound = (message: string) => ({
  description: "no such operator or token",
  errors: [{ code: "NOT_FOUND", message }],
});

export const operatorRouteDocs: RouteDoc[] = [
  {
    method: "post",
    path: "/admin/operators",
    operationId: "addOperator",
    summary: "Adds an operator with a role and issues its first token, shown this once",
    tags,
    access: admin,
    body: addBody,
    bodyExample: { name: "anna.officer", role: "officer" },
    responses: {
      201: {
        description: "added: the operator and its token",
        headers: { Location: "the operator: `/admin/operators/{id}`" },
        body: z.object({ operator: operatorSchema, token: issuedSchema }),
        example: { operator: operatorExample, token: tokenExample },
      },
      409: {
        description: "an operator of that name exists",
        errors: [
          {
            code: "CONFLICT",
            message: "an operator named anna.officer exists",
            details: [{ path: "name", message: "exists" }],
          },
        ],
      },
    },
  },
  {
    method: "get",
    path: "/admin/operators",
    operationId: "listOperators",
    summary: "Every operator with its tokens (never their secrets)",
    tags,
    access: admin,
    responses: {
      200: {
        description: "the operators by name",
        body: z.object({ items: z.array(operatorSchema) }),
        example: { items: [operatorExample] },
      },
    },
  },
  {
    method: "get",
    path: "/admin/operators/{id}",
    operationId: "getOperator",
    summary: "One operator with its tokens (never their secrets)",
    tags,
    access: admin,
    params: z.object({ id: z.uuid() }),
    responses: {
      200: { description: "the operator", body: operatorSchema, example: operatorExample },
      404: notFound(`operator ${ID} not found`),
    },
  },
  {
    method: "post",
    path: "/admin/operators/{id}/tokens",
    operationId: "issueOperatorToken",
    summary: "Issues another token for an operator, shown this once",
    tags,
    access: admin,
    params: z.object({ id: z.uuid() }),
    responses: {
      201: {
        description: "the new token",
        headers: { Location: "the token: `/admin/operators/{id}/tokens/{tokenId}` (DELETE revokes it)" },
        body: z.object({ token: issuedSchema }),
        example: { token: tokenExample },
      },
      404: notFound(`operator ${ID} not found`),
    },
  },
  {
    method: "delete",
    path: "/admin/operators/{id}/tokens/{tokenId}",
    operationId: "revokeOperatorToken",
    summary: "Revokes a token: refused at once by this service, by the others within OPERATOR_TOKEN_CACHE_MS",
    tags,
    access: admin,
    params: z.object({ id: z.uuid(), tokenId: z.uuid() }),
    responses: { 204: { description: "revoked" }, 404: notFound(`no live token ${TOKEN_ID} of operator ${ID}`) },
  },
];
