import type { Context, Next } from "koa";
import { AppError } from "./errors.ts";

const NUL = "\u0000";
const MESSAGE = "must not contain the NUL character (U+0000)";

/** The text a path or query names once decoded; malformed escapes stay as given (the router 404s them). */
function decoded(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return text;
  }
}

// Iterative, like the depth check: a body may nest up to the parser's limit and hold thousands of strings.
function holdsNul(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === "string") {
      if (v.includes(NUL)) return true;
    } else if (v !== null && typeof v === "object") {
      for (const [k, child] of Object.entries(v)) {
        if (k.includes(NUL)) return true;
        stack.push(child);
      }
    }
  }
  return false;
}

/**
 * Refuses a NUL anywhere in a request's path, query or JSON body with a 400, before any route reads it.
 * PostgreSQL's text, varchar and jsonb cannot hold U+0000 and fail the statement (22021), so a NUL that
 * reached a query answered 500; no field of any API has a use for one.
 */
export function refuseNul() {
  return async (ctx: Context, next: Next) => {
    const where = decoded(ctx.path).includes(NUL)
      ? "path"
      : decoded(ctx.querystring).includes(NUL)
        ? "query"
        : holdsNul(ctx.request.body)
          ? "body"
          : null;
    if (where)
      throw new AppError("VALIDATION_FAILED", `the request's ${where} ${MESSAGE}`, [{ path: where, message: MESSAGE }]);
    return next();
  };
}
