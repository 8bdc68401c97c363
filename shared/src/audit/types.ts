import type { Context } from "koa";

/**
 * Who acts, as the operator guard (shared/src/operators, the ops-auth work) puts it on
 * `ctx.state.operator` for every operator-authenticated request. Declared here with exactly that shape
 * until the guard lands; then this file re-exports the guard's types instead.
 */
export const ROLES = ["viewer", "officer", "operator", "risk", "admin"] as const;
export type Role = (typeof ROLES)[number];

export interface Operator {
  id: string | null;
  name: string;
  role: Role;
  tokenId: string | null;
}

/** ADMIN_TOKEN from the environment: the bootstrap admin, with no registry id. */
export const BOOTSTRAP_ADMIN: Operator = Object.freeze({
  id: null,
  name: "bootstrap-admin",
  role: "admin",
  tokenId: null,
});

/** admin may do everything; every role may read (viewer); otherwise only the role itself. */
export function allows(role: Role, required: Role): boolean {
  return role === "admin" || required === "viewer" || role === required;
}

export function operatorOf(ctx: Context): Operator | undefined {
  return ctx.state.operator as Operator | undefined;
}

/** One operator told apart from another: the registry id, or the name for the bootstrap admin. */
export const operatorKey = (o: Pick<Operator, "id" | "name">): string => (o.id ? `id:${o.id}` : `name:${o.name}`);
