import { createHmac, timingSafeEqual } from "node:crypto";
import type { Context, Next } from "koa";
import { AppError } from "./errors.ts";

/**
 * Service-to-service requests are signed like webhooks: `X-Signature: t=<unix seconds>,v1=<hex>` where
 * v1 = HMAC-SHA256(secret, "<t>.<raw body>"). The timestamp bounds replays to a window.
 */
export const SIGNATURE_HEADER = "x-signature";
const WINDOW_SECONDS = 300;

const mac = (secret: string, t: number, body: string) =>
  createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");

export function signBody(secret: string, body: string, nowMs = Date.now()): Record<string, string> {
  const t = Math.floor(nowMs / 1000);
  return { [SIGNATURE_HEADER]: `t=${t},v1=${mac(secret, t, body)}` };
}

export function verifySignature(
  secret: string,
  header: string | undefined,
  body: string,
  nowMs = Date.now(),
): string | null {
  if (!header) return "missing signature";
  const parts = Object.fromEntries(header.split(",").map((p) => p.trim().split("=", 2) as [string, string]));
  const t = Number(parts.t);
  const given = parts.v1;
  if (!Number.isInteger(t) || !given || !/^[0-9a-f]{64}$/.test(given)) return "malformed signature";
  if (Math.abs(nowMs / 1000 - t) > WINDOW_SECONDS) return "stale signature";
  const expected = Buffer.from(mac(secret, t, body), "hex");
  if (!timingSafeEqual(expected, Buffer.from(given, "hex"))) return "wrong signature";
  return null;
}

// The router matches paths regardless of case (POST /INTERNAL/decisions reaches the same handler), so
// the guard compares the same way; a percent-encoded form is decoded first for the same reason.
export function underPrefix(path: string, prefix: string): boolean {
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // malformed escapes: compare the raw text
  }
  const p = prefix.toLowerCase();
  return path.toLowerCase().startsWith(p) || decoded.toLowerCase().startsWith(p);
}

/** Whether a path reaches the service-to-service endpoints, however its case or escapes are written. */
export const isInternalPath = (path: string) => underPrefix(path, "/internal/");

/** Guards every path under `prefix`: runs after the raw body is read and before it is parsed or used. */
export function serviceAuth(secret: string, prefix = "/internal/", clock: () => number = Date.now) {
  return async (ctx: Context, next: Next) => {
    if (!underPrefix(ctx.path, prefix)) return next();
    const problem = verifySignature(secret, ctx.get(SIGNATURE_HEADER) || undefined, ctx.request.rawBody ?? "", clock());
    if (problem) throw new AppError("UNAUTHORIZED", `service request refused: ${problem}`);
    return next();
  };
}
