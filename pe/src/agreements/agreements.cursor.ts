import { parseIsoDate } from "../calendar.ts";
import { UUID } from "../http/inputs.ts";

/**
 * A page boundary of the (created_at desc, id desc) keyset. On the wire it is opaque base64url JSON;
 * `at` is created_at in UTC to the microsecond, the precision PostgreSQL keeps (a JS Date would cut it
 * to milliseconds and skip or repeat rows): the kit's `createdAtKey()` renders it so in SQL.
 */
export interface Cursor {
  at: string;
  id: string;
}

const AT = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{6}Z$/;

export const encodeCursor = (c: Cursor): string => Buffer.from(JSON.stringify([c.at, c.id])).toString("base64url");

/** The cursor, or null for anything this API did not hand out: it is checked before it reaches SQL. */
export function decodeCursor(text: string): Cursor | null {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length !== 2) return null;
  const [at, id] = value;
  if (typeof at !== "string" || typeof id !== "string" || !UUID.test(id)) return null;
  const m = AT.exec(at);
  if (!m || !parseIsoDate(m[1] as string)) return null;
  return { at, id };
}
