import { isOpenPath } from "../http/api-keys.ts";

/**
 * What the audit trail does with one answered request: the pure core of the middleware (trail.ts).
 *
 * - `skip`: nothing to record: a plain read, a probe or the docs, a signed service call, or a client's
 *   call (no operator) that was not refused for its credentials;
 * - `write`: the middleware writes the request's one row: an operator's call its handler did not record
 *   (the kit's admin endpoints, say), or any refusal for credentials (401, 403), whoever sent it;
 * - `verify`: the handler recorded a row in its transaction, but the answer is an error: the row is real
 *   only if that transaction committed; if it rolled back, the middleware writes the row instead.
 */
export type Plan = "skip" | "write" | "verify";
export type Outcome = "ALLOWED" | "REFUSED" | "FAILED";

export interface RequestFacts {
  method: string;
  path: string;
  status: number;
  /** An operator was identified (ctx.state.operator). */
  hasOperator: boolean;
  /** The handler wrote its row with auditAction. */
  handlerRow: boolean;
}

const READS = new Set(["GET", "HEAD", "OPTIONS"]);
// The kit's open paths and the signed /internal/ ones, as the access guard tells them apart.
const unaudited = (path: string) => isOpenPath(path) || path === "/internal";

export const isRefusal = (status: number) => status === 401 || status === 403;

export function outcomeOf(status: number): Outcome {
  if (isRefusal(status)) return "REFUSED";
  return status >= 400 ? "FAILED" : "ALLOWED";
}

export function auditPlan(f: RequestFacts): Plan {
  if (unaudited(f.path)) return "skip";
  // Reads change nothing; a read of the admin endpoints refused for its credentials is still worth a row.
  if (READS.has(f.method.toUpperCase())) return isRefusal(f.status) && f.path.startsWith("/admin/") ? "write" : "skip";
  if (f.handlerRow) return f.status >= 400 ? "verify" : "skip";
  return f.hasOperator || isRefusal(f.status) ? "write" : "skip";
}

/** Text that came from a request, fit for a text column: no control characters (PostgreSQL refuses NUL), bounded. */
export function clean(text: string, max = 200): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  const plain = text.replace(/[\u0000-\u001f\u007f]/g, "\uFFFD");
  return plain.length > max ? `${plain.slice(0, max - 1)}…` : plain;
}

/**
 * What an unidentified caller sent, recognisable without being usable: at most its first four characters
 * (an operator token's `op_` prefix and a character, say), and only when it is long enough that four
 * characters give nothing away; always with its length.
 */
export function maskToken(token: string): string {
  const shown = token.length >= 24 ? clean(token.slice(0, 4), 4) : "";
  return `${shown}…(${token.length})`;
}

/** A value for a jsonb column: strings without NUL (jsonb refuses \u0000), depth and size bounded. */
export function jsonSafe(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return value.includes("\u0000") ? value.replaceAll("\u0000", "\uFFFD") : value;
  if (value === null || typeof value !== "object" || value instanceof Date) return value;
  if (depth > 8) return "…";
  if (Array.isArray(value)) return value.slice(0, 100).map((v) => jsonSafe(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value)
      .slice(0, 100)
      .map(([k, v]) => [jsonSafe(k) as string, jsonSafe(v, depth + 1)]),
  );
}
