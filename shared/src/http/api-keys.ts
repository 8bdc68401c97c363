import { createHash, timingSafeEqual } from "node:crypto";
import type { Context, Next } from "koa";
import { AppError } from "./errors.ts";
import { isInternalPath } from "./service-auth.ts";

const OPEN_PATHS = new Set(["/health", "/ready", "/metrics", "/openapi.json", "/asyncapi.json"]);

/** The kit's own open paths (health, readiness, metrics, the documents and docs) and the signed /internal/ ones. */
export const isOpenPath = (path: string) =>
  OPEN_PATHS.has(path) || path === "/docs" || path.startsWith("/docs/") || isInternalPath(path);

// Hashing both sides first gives equal lengths, so the comparison time says nothing about the key.
const digest = (s: string) => createHash("sha256").update(s).digest();
export const sameSecret = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));
export const matchesAny = (keys: readonly string[], given: string) => keys.some((k) => sameSecret(k, given));

/** Who is calling, without keeping the credential: what idempotency keys are scoped to (idempotency.ts). */
export const callerScopeOf = (credential: string) => digest(credential).toString("hex");

/** The token of `Authorization: Bearer <token>`; undefined when the header is absent or not of that form. */
export function bearer(ctx: Context): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(ctx.get("authorization"));
  return m?.[1];
}

/**
 * API keys alone, for an app without route declarations (the services use the kit's access guard,
 * operators/guard.ts, instead). With keys configured, every endpoint but the open ones needs
 * `Authorization: Bearer <key>`; the admin token is accepted wherever a key is. Without keys, all is open.
 */
export function apiKeys(keys: readonly string[], adminToken?: string) {
  const accepted = adminToken ? [...keys, adminToken] : [...keys];
  return async (ctx: Context, next: Next) => {
    if (keys.length === 0 || isOpenPath(ctx.path)) return next();
    const given = bearer(ctx);
    if (!given || !matchesAny(accepted, given)) {
      ctx.set("WWW-Authenticate", 'Bearer realm="api"');
      throw new AppError("UNAUTHORIZED", "a valid API key is required: Authorization: Bearer <key>");
    }
    ctx.state.callerScope = callerScopeOf(given);
    return next();
  };
}
