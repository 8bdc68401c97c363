import { createHash, timingSafeEqual } from "node:crypto";
import { AppError } from "@loans/shared";
import type { Context, Next } from "koa";

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * Guards admin endpoints with `Authorization: Bearer <ADMIN_TOKEN>`; open while no token is configured
 * (the config refuses that in production). Digests are compared so the time taken says nothing of the length.
 */
export function requireAdmin(token: string | undefined) {
  const expected = token === undefined ? undefined : digest(token);
  return async (ctx: Context, next: Next) => {
    if (expected) {
      const given = /^Bearer (.+)$/i.exec(ctx.get("authorization"))?.[1] ?? "";
      if (!timingSafeEqual(digest(given), expected)) {
        ctx.set("WWW-Authenticate", 'Bearer realm="admin"');
        throw new AppError("UNAUTHORIZED", "this endpoint needs the admin token as a Bearer token");
      }
    }
    return next();
  };
}
