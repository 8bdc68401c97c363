import { cursorCodec } from "@loans/shared/http/cursor";
import { type SelectQueryBuilder, sql } from "kysely";
import { z } from "zod";

/** Where a page of payouts or payments ends: created_at to the microsecond (as text), then the id. */
export interface ListPosition {
  createdKey: string;
  id: string;
}

// The cursor is opaque to clients: base64url of [created_at to the microsecond, id].
const cursor = cursorCodec(z.tuple([z.iso.datetime({ precision: 6 }), z.uuid()]));

export const encodeCursor = (p: ListPosition): string => cursor.encode([p.createdKey, p.id]);

export function decodeCursor(text: string): ListPosition {
  const [createdKey, id] = cursor.decode(text);
  return { createdKey, id };
}

/** A page of rows fetched with one extra: the items, and the cursor of the next page when there is one. */
export function toPage<R extends { created_key: string; id: string }, V>(rows: R[], limit: number, view: (r: R) => V) {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(view),
    nextCursor: rows.length > limit && last ? encodeCursor({ createdKey: last.created_key, id: last.id }) : null,
  };
}

/** Newest first from after the cursor's position, one row more than the page (toPage tells a next page by it). */
export function newestFirst<DB, TB extends keyof DB, O>(
  q: SelectQueryBuilder<DB, TB, O>,
  after: ListPosition | undefined,
  limit: number,
): SelectQueryBuilder<DB, TB, O> {
  const from = after
    ? q.where(sql<boolean>`(created_at, id) < (${after.createdKey}::timestamptz, ${after.id}::uuid)`)
    : q;
  return from
    .orderBy(sql`created_at desc`)
    .orderBy(sql`id desc`)
    .limit(limit + 1);
}
