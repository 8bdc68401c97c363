import type { z } from "zod";
import { AppError, type ErrorDetail } from "./errors.ts";

export function issuesToDetails(issues: readonly z.core.$ZodIssue[]): ErrorDetail[] {
  return issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message, code: i.code }));
}

/** Parses input against a zod schema; every problem is listed in one 400. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what = "request"): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) {
    const details = issuesToDetails(r.error.issues);
    throw new AppError("VALIDATION_FAILED", `${what} is invalid: ${details.length} problem(s)`, details);
  }
  return r.data;
}
