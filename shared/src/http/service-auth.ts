import { createHmac, timingSafeEqual } from "node:crypto";
import type { Context, Next } from "koa";
import { AppError } from "./errors.ts";

/**
 * Service-to-service requests are signed like webhooks: `X-Signature: t=<unix seconds>,v1=<hex>` where
 * v1 = HMAC-SHA256(secret, "<t>.<METHOD>.<path>.<raw body>"). The timestamp bounds replays to a window;
 * the method and path keep a signed batch from being replayed to another endpoint. The path is the
 * request's path without its query, exactly as sent.
 *
 * SERVICE_SECRET may hold several secrets, comma-separated, so it can be rotated without downtime: the
 * first signs, any of them verifies (README, "Rotating SERVICE_SECRET").
 */
export const SIGNATURE_HEADER = "x-signature";
const WINDOW_SECONDS = 300;

/** `WWW-Authenticate` of a refused service request. */
export const SIGNATURE_CHALLENGE = 'Signature realm="internal", headers="X-Signature"';

/** One secret, a comma-separated list of them (SERVICE_SECRET), or a list. */
export type ServiceSecrets = string | readonly string[];

/** The secrets in order: the first is the one that signs. */
export function serviceSecrets(secrets: ServiceSecrets): string[] {
  const list = typeof secrets === "string" ? secrets.split(",") : [...secrets];
  return list.map((s) => s.trim()).filter(Boolean);
}

export interface SignedRequest {
  method: string;
  path: string;
  body: string;
}

const mac = (secret: string, t: number, r: SignedRequest) =>
  createHmac("sha256", secret).update(`${t}.${r.method.toUpperCase()}.${r.path}.${r.body}`).digest("hex");

/** The signature header for a request, made with the first of the secrets. */
export function signRequest(
  secrets: ServiceSecrets,
  request: SignedRequest,
  nowMs = Date.now(),
): Record<string, string> {
  const signer = serviceSecrets(secrets)[0];
  if (!signer) throw new Error("no service secret to sign with");
  const t = Math.floor(nowMs / 1000);
  return { [SIGNATURE_HEADER]: `t=${t},v1=${mac(signer, t, request)}` };
}

/** Null when one of the header's v1 signatures was made with one of the secrets; else why not. */
export function verifyRequest(
  secrets: ServiceSecrets,
  header: string | undefined,
  request: SignedRequest,
  nowMs = Date.now(),
): string | null {
  if (!header) return "missing signature";
  const parts = header.split(",").map((p) => p.trim().split("=", 2) as [string, string | undefined]);
  const t = Number(parts.find(([k]) => k === "t")?.[1]);
  const given = parts.filter(([k]) => k === "v1").map(([, v]) => v ?? "");
  if (!Number.isInteger(t) || given.length === 0 || given.some((g) => !/^[0-9a-f]{64}$/.test(g)))
    return "malformed signature";
  if (Math.abs(nowMs / 1000 - t) > WINDOW_SECONDS) return "stale signature";
  const expected = serviceSecrets(secrets).map((s) => Buffer.from(mac(s, t, request), "hex"));
  // Every comparison is made, so the time taken says nothing about which secret matched.
  let match = false;
  for (const g of given) for (const e of expected) match = timingSafeEqual(e, Buffer.from(g, "hex")) || match;
  return match ? null : "wrong signature";
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
export function serviceAuth(secrets: ServiceSecrets, prefix = "/internal/", clock: () => number = Date.now) {
  const accepted = serviceSecrets(secrets);
  return async (ctx: Context, next: Next) => {
    if (!underPrefix(ctx.path, prefix)) return next();
    const problem = verifyRequest(
      accepted,
      ctx.get(SIGNATURE_HEADER) || undefined,
      { method: ctx.method, path: ctx.path, body: ctx.request.rawBody ?? "" },
      clock(),
    );
    if (problem) {
      ctx.set("WWW-Authenticate", SIGNATURE_CHALLENGE);
      throw new AppError("UNAUTHORIZED", `service request refused: ${problem}`);
    }
    return next();
  };
}
