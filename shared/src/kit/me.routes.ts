import Router from "@koa/router";
import { z } from "zod";
import { AppError } from "../http/errors.ts";
import type { RouteDoc } from "../http/openapi.ts";
import { BOOTSTRAP_ADMIN, type Operator, ROLES } from "../operators/roles.ts";

/**
 * `GET /admin/me`: the console's "who am I", to show the operator and hide what their role cannot do. The
 * access guard has put the operator on `ctx.state.operator` (an operator token or ADMIN_TOKEN); without
 * ADMIN_TOKEN (development) the operator endpoints are open, and whoever calls is in effect the admin.
 */
export function meRoutes(deps: { adminToken?: string }): Router {
  const router = new Router();
  router.get("/admin/me", (ctx) => {
    const op = (ctx.state.operator as Operator | undefined) ?? (deps.adminToken ? undefined : BOOTSTRAP_ADMIN);
    if (!op) throw new AppError("UNAUTHORIZED", "this endpoint needs an operator token or the admin token");
    ctx.body = { operator: { id: op.id, name: op.name, role: op.role } };
  });
  return router;
}

const meResponse = z
  .object({
    operator: z.object({
      id: z.uuid().nullable().describe("null for the bootstrap admin (ADMIN_TOKEN)"),
      name: z.string(),
      role: z.enum(ROLES),
    }),
  })
  .meta({ id: "Me" });

export const meDocs: RouteDoc[] = [
  {
    method: "get",
    path: "/admin/me",
    operationId: "getMe",
    summary: "The operator the bearer token belongs to, with their role (an admin call; the console's sign-in)",
    tags: ["admin"],
    access: { role: "viewer" },
    responses: {
      200: {
        description: "who is signed in",
        body: meResponse,
        example: { operator: { id: null, name: "bootstrap-admin", role: "admin" } },
      },
    },
  },
];
