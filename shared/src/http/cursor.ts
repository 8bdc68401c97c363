import { sql } from "kysely";
import { z } from "zod";
import { AppError } from "./errors.ts";

/**
 * A list's page cursor, opaque to clients: base64url of the JSON array `position` describes (a keyset's
 * values, say created_at to the microsecond and an id). `decode` checks it before it reaches SQL: anything
 * this API did not give out is a 400 VALIDATION_FAILED on `cursor`.
 */
export function cursorCodec<T extends readonly unknown[]>(position: z.ZodType<T>) {
  return {
    encode: (values: T): string => Buffer.from(JSON.stringify(values)).toString("base64url"),
    decode(cursor: string): T {
      let decoded: unknown;
      try {
        decoded = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
      } catch {
        decoded = undefined;
      }
      const r = position.safeParse(decoded);
      if (!r.success) {
        throw new AppError("VALIDATION_FAILED", "cursor is invalid", [
          { path: "cursor", message: "not a cursor this API gave out" },
        ]);
      }
      return r.data;
    },
  };
}

/**
 * A row's created_at as a list's keyset carries it: UTC text to the microsecond, the precision PostgreSQL
 * keeps (a JS Date would cut it to milliseconds and skip or repeat rows). Select it `.as(...)` a column.
 */
export const createdAtKey = () => sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const LIMIT = "must be a whole number from 1 to 100";

/** A list's `limit` query parameter: a whole number of items per page, 1 to 100, 20 unless given. */
export const pageLimit = () =>
  z.coerce
    .number<number>({ error: LIMIT })
    .int(LIMIT)
    .min(1, LIMIT)
    .max(100, LIMIT)
    .default(20)
    .describe("items per page, 20 unless given");
