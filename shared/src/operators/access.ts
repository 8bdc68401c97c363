import type { Context, Next } from "koa";
import { allows, type Operator, type Role } from "./roles.ts";

/**
 * What an endpoint needs, declared beside it in its RouteDoc:
 * - `{ role }`: an operator token whose role allows `role` (roles.ts), or ADMIN_TOKEN (the bootstrap admin);
 * - `{ role, apiKey: true }`: the same, or one of the client API_KEYS (the client-facing endpoints);
 * - `"service"`: a peer's signed batch under /internal/ (http/service-auth.ts checks it);
 * - `"open"`: no credential (health, readiness, the docs).
 */
export type Access = { role: Role; apiKey?: boolean } | "service" | "open";

/** What the caller presented, once resolved against the keys, ADMIN_TOKEN and the registry. */
export type Credential =
  | { kind: "none" }
  | { kind: "malformed" }
  | { kind: "invalid" }
  | { kind: "apiKey" }
  | { kind: "operator"; operator: Operator };

/** What is required in this deployment: API_KEYS set, ADMIN_TOKEN set (development may leave both unset). */
export interface Requirements {
  apiKeys: boolean;
  operators: boolean;
}

export type Decision =
  | { allow: true; operator?: Operator }
  | { allow: false; status: 401; realm: "api" | "admin"; message: string }
  | { allow: false; status: 403; required: Role; role: Role; operator: Operator };

/**
 * The guard's whole rule, pure. An operator is held to its role wherever it is recognised; a route that
 * needs no credential in this deployment (development) ignores one it cannot recognise, as it always did.
 */
export function decide(access: Access, cred: Credential, req: Requirements): Decision {
  if (access === "open" || access === "service") return { allow: true };
  if (cred.kind === "operator") {
    const { role } = cred.operator;
    return allows(role, access.role)
      ? { allow: true, operator: cred.operator }
      : { allow: false, status: 403, required: access.role, role, operator: cred.operator };
  }
  if (cred.kind === "apiKey" && access.apiKey) return { allow: true };
  const open = access.apiKey ? !req.apiKeys : !req.operators;
  if (open) return { allow: true };
  return {
    allow: false,
    status: 401,
    realm: access.apiKey ? "api" : "admin",
    message: refusal(access, cred),
  };
}

function refusal(access: { role: Role; apiKey?: boolean }, cred: Credential): string {
  const wanted = access.apiKey
    ? `an API key or an operator token with role ${access.role}`
    : `an operator token with role ${access.role}`;
  switch (cred.kind) {
    case "malformed":
      return `the Authorization header must be "Bearer <token>"; this endpoint needs ${wanted}`;
    case "apiKey":
      return `an API key does not open this endpoint; it needs ${wanted}`;
    case "invalid":
      return `the token is not valid (unknown, revoked or mistyped); this endpoint needs ${wanted}`;
    default:
      return `this endpoint needs ${wanted}: Authorization: Bearer <token>`;
  }
}

/** The koa state the guard fills: who is calling, when an operator is. */
export interface AccessState {
  operator?: Operator;
}

export const operatorOf = (ctx: Context): Operator | undefined => (ctx.state as AccessState).operator;

export type { Next };
