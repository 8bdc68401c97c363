import type Koa from "koa";
import type { Middleware } from "koa";
import { type Operator, ROLES, type Role } from "../src/audit/types.ts";

/**
 * Operators for tests, until the operator registry (ops-auth) issues real tokens: a test-only header
 * `X-Test-Operator: <name>:<role>` becomes `ctx.state.operator`, as the operator guard will set it. Only
 * test apps mount this; once tokens exist, `asOperator` is the one place to change (a token per name).
 */
export const TEST_OPERATOR_HEADER = "x-test-operator";

export function testOperators(): Middleware {
  return (ctx, next) => {
    const [name, role] = ctx.get(TEST_OPERATOR_HEADER).split(":");
    if (name && ROLES.includes(role as Role)) {
      const operator: Operator = { id: `test-${name}`, name, role: role as Role, tokenId: `token-of-${name}` };
      ctx.state.operator = operator;
    }
    return next();
  };
}

/** Puts testOperators first on an app built elsewhere (a service's createApp). */
export function withTestOperators(app: Koa): Koa {
  app.middleware.unshift(testOperators());
  return app;
}

/** The headers a request of operator `name` with `role` carries. */
export const asOperator = (name: string, role: Role = "admin"): Record<string, string> => ({
  [TEST_OPERATOR_HEADER]: `${name}:${role}`,
});

const issued = new Map<string, string>();

/**
 * A real operator of the service's registry, added once per (service, name) with POST /admin/operators
 * (`admin` carries the bootstrap admin's token where ADMIN_TOKEN is set): the headers its requests carry.
 */
export async function operatorHeaders(
  base: string,
  name: string,
  role: Role = "admin",
  admin: Record<string, string> = {},
): Promise<Record<string, string>> {
  const key = `${base} ${name}`;
  let token = issued.get(key);
  if (!token) {
    const r = await fetch(`${base}/admin/operators`, {
      method: "POST",
      headers: { "content-type": "application/json", ...admin },
      body: JSON.stringify({ name, role }),
    });
    const body = (await r.json()) as { token?: { token?: string } };
    if (r.status !== 201 || !body.token?.token)
      throw new Error(`could not add operator ${name}: ${r.status} ${JSON.stringify(body)}`);
    token = body.token.token;
    issued.set(key, token);
  }
  return { authorization: `Bearer ${token}` };
}
