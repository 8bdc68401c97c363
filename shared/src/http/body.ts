import type { Context, Next } from "koa";
import { AppError } from "./errors.ts";

export interface BodyOptions {
  /** Largest body accepted, in bytes. */
  limit: number;
  /** Deepest nesting of arrays and objects accepted. */
  maxDepth: number;
}

declare module "koa" {
  interface Request {
    body?: unknown;
    rawBody?: string;
  }
}

const BODY_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Reads the body's exact text into `ctx.request.rawBody` (signatures are computed over it), refusing
 * other media types and oversize bodies before anything else sees them.
 */
export function rawBody(opts: Pick<BodyOptions, "limit">) {
  return async (ctx: Context, next: Next) => {
    if (!BODY_METHODS.has(ctx.method)) return next();
    const length = Number(ctx.get("content-length") || 0);
    if (length > opts.limit) throw tooLarge(opts.limit);
    const hasBody = length > 0 || ctx.get("transfer-encoding") !== "";
    if (hasBody && !ctx.is("application/json")) {
      throw new AppError("UNSUPPORTED_MEDIA_TYPE", "request body must be application/json");
    }
    ctx.request.rawBody = hasBody ? await readText(ctx, opts.limit) : "";
    return next();
  };
}

/** Parses `rawBody` as JSON into `ctx.request.body`; malformed or too deeply nested JSON is a 400. */
export function parseJson(opts: Pick<BodyOptions, "maxDepth">) {
  return async (ctx: Context, next: Next) => {
    const raw = ctx.request.rawBody;
    if (raw !== undefined && raw.trim() !== "") {
      try {
        ctx.request.body = JSON.parse(raw);
      } catch (err) {
        throw new AppError("MALFORMED_JSON", "request body is not valid JSON", [{ message: (err as Error).message }]);
      }
      if (deeperThan(ctx.request.body, opts.maxDepth)) {
        throw new AppError("VALIDATION_FAILED", `request body nests deeper than ${opts.maxDepth} levels`);
      }
    }
    return next();
  };
}

const tooLarge = (limit: number) => new AppError("PAYLOAD_TOO_LARGE", `request body is larger than ${limit} bytes`);

async function readText(ctx: Context, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

// Iterative, and stops at the limit: a megabyte of "[[[[" must not overflow the stack.
function deeperThan(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== "object") continue;
    if (d + 1 > limit) return true;
    for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return false;
}
