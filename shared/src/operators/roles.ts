/**
 * Who may do what. Every operator has one role; each endpoint declares the role it needs (RouteDoc
 * `access`). Reads need `viewer`, which every role includes; `admin` includes everything; the other roles
 * are apart: an officer cannot move the business date, an operator cannot disburse.
 */
export const ROLES = ["viewer", "officer", "operator", "risk", "admin"] as const;

export type Role = (typeof ROLES)[number];

export const isRole = (s: unknown): s is Role => typeof s === "string" && (ROLES as readonly string[]).includes(s);

/** Whether an operator of `role` may call an endpoint that needs `required`. */
export function allows(role: Role, required: Role): boolean {
  return role === "admin" || required === "viewer" || role === required;
}

/**
 * Who is calling, as the access guard sets it on `ctx.state.operator` (the audit trail reads it). `id` and
 * `tokenId` are null for the bootstrap admin, who is ADMIN_TOKEN rather than a row of the registry.
 */
export interface Operator {
  id: string | null;
  name: string;
  role: Role;
  tokenId: string | null;
}

export const BOOTSTRAP_ADMIN: Operator = Object.freeze({
  id: null,
  name: "bootstrap-admin",
  role: "admin",
  tokenId: null,
});
