import type { Context, Next } from "koa";

/**
 * The codes every service may answer with, each bound to its HTTP status. A service's own codes are
 * declared beside its domain code with `defineErrors`.
 */
export const ERROR_STATUS = {
  MALFORMED_JSON: 400,
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  // A known operator whose role does not allow the endpoint; details name the role it needs.
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  // GET /events: a cursor from before what the retention purge removed (shared/src/events/feed.ts).
  CURSOR_EXPIRED: 410,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  BUSINESS_RULE: 422,
  NOT_READY: 503,
  DATABASE_UNAVAILABLE: 503,
  INTERNAL: 500,
  // The Idempotency-Key layer's (idempotency.ts), on any public POST that takes the header.
  IDEMPOTENCY_KEY_REUSED: 422,
  IDEMPOTENCY_KEY_IN_USE: 409,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorDetail {
  /** Where the problem is: a dotted path into the body, or a header or parameter name. */
  path?: string;
  message: string;
  [key: string]: unknown;
}

/** An error rendered as `{ error: { code, message, details } }` with its status; anything else is a 500. */
export class AppError extends Error {
  readonly status: number;
  /** A shared code: its status comes from ERROR_STATUS. */
  constructor(code: ErrorCode, message: string, details?: ErrorDetail[]);
  /** A service's own code with its status, as `defineErrors` makes it. */
  constructor(code: string, message: string, details: ErrorDetail[], status: number);
  constructor(
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    status?: number,
  ) {
    super(message);
    this.name = "AppError";
    this.status = status ?? ERROR_STATUS[code as ErrorCode];
  }
}

/**
 * A service's own error codes, each with its status: `const fail = defineErrors({ CLIENT_MISMATCH: 409 })`,
 * then `throw fail("CLIENT_MISMATCH", "…", details)`. The set stays closed (a code not declared does not
 * compile), and a code may not take a shared one's name.
 */
export function defineErrors<const T extends Record<string, number>>(
  statuses: T & { [K in keyof T]: K extends ErrorCode ? never : number },
) {
  for (const [code, status] of Object.entries(statuses)) {
    if (code in ERROR_STATUS) throw new Error(`${code} is a shared error code`);
    if (!Number.isInteger(status) || status < 400 || status > 599) throw new Error(`${code}: ${status} is no error`);
  }
  const fail = (code: keyof T & string, message: string, details: ErrorDetail[] = []) =>
    new AppError(code, message, details, statuses[code]);
  return Object.assign(fail, { statuses: statuses as Readonly<T> });
}

export const notFound = (what: string) => new AppError("NOT_FOUND", `${what} not found`);

/**
 * The first middleware: renders every error as `{ error: { code, message, details } }`.
 * Errors we did not raise ourselves become a 500 that says nothing of the internals; koa's own
 * client errors (`expose`) keep their status.
 */
export function errorMiddleware(log: (err: unknown, ctx: Context) => void = defaultLog) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw notFound(`route ${ctx.method} ${ctx.path}`);
      if (ctx.status === 405 && ctx.body === undefined)
        throw new AppError("METHOD_NOT_ALLOWED", `method ${ctx.method} is not allowed on ${ctx.path}`);
    } catch (err) {
      const e = toAppError(err);
      if (e.status >= 500) log(err, ctx);
      ctx.status = e.status;
      if (e.code === "DATABASE_UNAVAILABLE") ctx.set("Retry-After", "1");
      ctx.body = { error: { code: e.code, message: e.message, details: e.details } };
    }
  };
}

// Connection failures, server shutdowns and a server with every connection taken (SQLSTATE classes 08
// and 57P, and 53300 too_many_connections, seen when other clients share the server): the request may
// succeed if sent again, so it is a 503, not a 500.
const UNAVAILABLE = /^(08|57P|53300)/;
const NETWORK = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND"]);

function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string; errors?: unknown[] };
  if (typeof e?.code === "string" && (UNAVAILABLE.test(e.code) || NETWORK.has(e.code))) return true;
  if (Array.isArray(e?.errors)) return e.errors.some(isDatabaseUnavailable);
  return /Connection terminated|not queryable|timeout exceeded when trying to connect/i.test(e?.message ?? "");
}

function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (isDatabaseUnavailable(err))
    return new AppError("DATABASE_UNAVAILABLE", "the database is unavailable; try again shortly");
  const e = err as { status?: number; expose?: boolean; message?: string };
  if (e?.expose && typeof e.status === "number") {
    if (e.status === 413) return new AppError("PAYLOAD_TOO_LARGE", e.message ?? "request body too large");
    if (e.status === 415) return new AppError("UNSUPPORTED_MEDIA_TYPE", e.message ?? "unsupported media type");
    if (e.status === 405) return new AppError("METHOD_NOT_ALLOWED", e.message ?? "method not allowed");
    if (e.status === 404) return new AppError("NOT_FOUND", e.message ?? "not found");
    if (e.status === 401) return new AppError("UNAUTHORIZED", e.message ?? "unauthorized");
    if (e.status >= 400 && e.status < 500) return new AppError("VALIDATION_FAILED", e.message ?? "bad request");
  }
  return new AppError("INTERNAL", "internal error");
}

function defaultLog(err: unknown, ctx: Context) {
  console.error(
    JSON.stringify({
      level: "error",
      msg: "request failed",
      method: ctx.method,
      path: ctx.path,
      err: String((err as Error)?.stack ?? err),
    }),
  );
}
