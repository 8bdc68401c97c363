import { createHash, timingSafeEqual } from "node:crypto";
import type { Context, Next } from "koa";
import { BOOTSTRAP_ADMIN } from "../audit/types.ts";
import { AppError } from "./errors.ts";
import { isInternalPath } from "./service-auth.ts";

const OPEN_PATHS = new Set(["/health", "/ready", "/metrics", "/openapi.json"]);
const isOpen = (path: string) =>
  OPEN_PATHS.has(path) || path === "/docs" || path.startsWith("/docs/") || isInternalPath(path);

// Hashing both sides first gives equal lengths, so the comparison time says nothing about the key.
const digest = (s: string) => createHash("sha256").update(s).digest();
const sameSecret = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

export function bearer(ctx: Context): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(ctx.get("authorization"));
  return m?.[1];
}

/**
 * With API keys configured, every public endpoint but health, readiness, metrics and the docs needs
 * `Authorization: Bearer <key>`; the admin token is accepted wherever a key is. Without keys, all is open.
 */
export function apiKeys(keys: readonly string[], adminToken?: string) {
  const accepted = adminToken ? [...keys, adminToken] : [...keys];
  return async (ctx: Context, next: Next) => {
    if (keys.length === 0 || isOpen(ctx.path)) return next();
    const given = bearer(ctx);
    if (!given || !accepted.some((k) => sameSecret(k, given))) {
      ctx.set("WWW-Authenticate", 'Bearer realm="api"');
      throw new AppError("UNAUTHORIZED", "a valid API key is required: Authorization: Bearer <key>");
    }
    // Who is calling, without keeping the key: what idempotency keys are scoped to (idempotency.ts).
    ctx.state.callerScope = digest(given).toString("hex");
    return next();
  };
}

/** Guards an admin endpoint: with ADMIN_TOKEN set, only `Authorization: Bearer <ADMIN_TOKEN>` passes. */
export function requireAdmin(adminToken: string | undefined) {
  return async (ctx: Context, next: Next) => {
    if (adminToken) {
      const given = bearer(ctx);
      if (!given || !sameSecret(adminToken, given)) {
        ctx.set("WWW-Authenticate", 'Bearer realm="admin"');
        throw new AppError("UNAUTHORIZED", "this endpoint needs the admin token as a Bearer token");
      }
    }
    ctx.state.operator ??= BOOTSTRAP_ADMIN; // interim, until the operator guard (ops-auth) sets it
    return next();
  };
}
