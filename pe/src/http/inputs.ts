import { isoDate, UUID } from "@loans/contracts/fields";
import { AppError, type ErrorDetail } from "@loans/shared";
import { z } from "zod";

// Any well-formed uuid (PostgreSQL's own syntax), checked before it reaches a `uuid` column: no 22P02 → 500.
export { UUID };

/** A real calendar day as 'YYYY-MM-DD' ('2023-02-30' is not one): the contracts' one date field. */
export const calendarDate = () => isoDate();

/**
 * A whole JSON number within bounds. A refinement rather than `.int()`: zod's int check aborts the whole
 * object, which would silence the cross-field checks that should be listed alongside it.
 */
export const wholeNumber = (min: number, max: number) =>
  z
    .number()
    .refine(Number.isInteger, "must be a whole number")
    .refine((n) => n >= min && n <= max, `must be from ${min} to ${max}`);

/** A path id that cannot name a row is simply not found, like an id that could but does not. */
export function pathId(value: string | undefined, what: string): string {
  if (!value || !UUID.test(value)) throw new AppError("NOT_FOUND", `${what} not found`);
  return value.toLowerCase();
}

interface Part<S extends z.ZodType> {
  schema: S;
  value: unknown;
}

/** Parses one part of a request; every problem is listed in one 400, each unknown field at its own path. */
export function parseRequest<S extends z.ZodType>(schema: S, value: unknown, what = "request"): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw invalid(what, problems(r));
  return r.data;
}

/** Parses two parts of a request (headers and body) and lists the problems of both in one 400. */
export function parseParts<A extends z.ZodType, B extends z.ZodType>(
  a: Part<A>,
  b: Part<B>,
  what = "request",
): [z.output<A>, z.output<B>] {
  const ra = a.schema.safeParse(a.value);
  const rb = b.schema.safeParse(b.value);
  if (!ra.success || !rb.success) throw invalid(what, [...problems(ra), ...problems(rb)]);
  return [ra.data, rb.data];
}

const invalid = (what: string, details: ErrorDetail[]) =>
  new AppError("VALIDATION_FAILED", `${what} is invalid: ${details.length} problem(s)`, details);

// zod reports unknown keys as one issue on the enclosing object; naming each key tells the caller which.
function problems(r: z.ZodSafeParseResult<unknown>): ErrorDetail[] {
  if (r.success) return [];
  return r.error.issues.flatMap((i): ErrorDetail[] => {
    const at = i.path.map(String);
    if (i.code === "unrecognized_keys") {
      return i.keys.map((k) => ({ path: [...at, k].join("."), message: "is not a known field", code: i.code }));
    }
    return [{ path: at.join("."), message: i.message, code: i.code }];
  });
}

export function notFoundUnless<T>(row: T | null | undefined, what: string): T {
  if (row === null || row === undefined) throw new AppError("NOT_FOUND", `${what} not found`);
  return row;
}
