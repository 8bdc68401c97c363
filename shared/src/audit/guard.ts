import type { Context } from "koa";
import { AppError } from "../http/errors.ts";
import { allows, type Operator, operatorOf, type Role } from "./types.ts";

/**
 * The role check of the kit's own audit and approval endpoints, behind whatever guard the app has: no
 * operator → 401, a role that does not allow `required` → 403 FORBIDDEN naming it. (The service's guard
 * refuses first; this keeps the endpoints closed even where it is not wired.)
 */
export function requireRole(ctx: Context, required: Role): Operator {
  const operator = operatorOf(ctx);
  if (!operator) {
    ctx.set("WWW-Authenticate", 'Bearer realm="admin"');
    throw new AppError("UNAUTHORIZED", "this endpoint needs an operator's token as a Bearer token");
  }
  if (!allows(operator.role, required)) throw forbidden(required, operator.role);
  return operator;
}

export const forbidden = (required: Role, role: Role) =>
  new AppError(
    "FORBIDDEN",
    `this needs the role ${required}`,
    [{ path: "role", message: `is ${role}`, required }],
    403,
  );

/** The 403 of a role that does not allow the operation, as the docs show it. */
export const forbiddenExample = (required: Role) => ({
  code: "FORBIDDEN",
  message: `this needs the role ${required}`,
  details: [{ path: "role", message: "is viewer", required }],
});
