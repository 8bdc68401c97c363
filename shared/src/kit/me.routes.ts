import { createHash, timingSafeEqual } from "node:crypto";
import Router from "@koa/router";
import type { Context } from "koa";
import { z } from "zod";
import { bearer } from "../http/api-keys.ts";
import { AppError } from "../http/errors.ts";
import type { RouteDoc } from "../http/openapi.ts";

/** Who is signed in, as the operator guard leaves it on `ctx.state.operator`. */
interface SignedIn {
  id: string | null;
  name: string;
  role: string;
}

const BOOTSTRAP_ADMIN: SignedIn = { id: null, name: "bootstrap-admin", role: "admin" };

// Digests first: equal lengths, so the comparison's time says nothing about the token.
const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * The operator behind the request: the guard's (`ctx.state.operator`), else the bootstrap admin when the
 * bearer is ADMIN_TOKEN (what every admin endpoint accepts), or when no ADMIN_TOKEN is set at all (then the
 * admin endpoints are open, and anyone calling is in effect the admin). A client API key is no operator.
 */
function signedIn(ctx: Context, adminToken: string | undefined): SignedIn | null {
  const op = ctx.state.operator as SignedIn | undefined;
  if (op) return { id: op.id, name: op.name, role: op.role };
  if (!adminToken) return BOOTSTRAP_ADMIN;
  const given = bearer(ctx);
  return given && timingSafeEqual(digest(given), digest(adminToken)) ? BOOTSTRAP_ADMIN : null;
}

/** `GET /admin/me`: the console's "who am I", to show the operator and hide what their role cannot do. */
export function meRoutes(deps: { adminToken?: string }): Router {
  const router = new Router();
  router.get("/admin/me", (ctx) => {
    const operator = signedIn(ctx, deps.adminToken);
    if (!operator) {
      ctx.set("WWW-Authenticate", 'Bearer realm="admin"');
      throw new AppError("UNAUTHORIZED", "this endpoint needs an operator token or the admin token as a Bearer token");
    }
    ctx.body = { operator };
  });
  return router;
}

const meResponse = z
  .object({
    operator: z.object({
      id: z.uuid().nullable().describe("null for the bootstrap admin (ADMIN_TOKEN)"),
      name: z.string(),
      role: z.enum(["viewer", "officer", "operator", "risk", "admin"]),
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
    security: "admin",
    responses: {
      200: {
        description: "who is signed in",
        body: meResponse,
        example: { operator: { id: null, name: "bootstrap-admin", role: "admin" } },
      },
    },
  },
];
