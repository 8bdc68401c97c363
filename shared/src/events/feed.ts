import type pg from "pg";
import { z } from "zod";
import { cursorCodec } from "../http/cursor.ts";
import { AppError } from "../http/errors.ts";
import { type EventRow, toEnvelope } from "./envelope.ts";

/** A place in the feed: the key (xid, position) of the last event served. */
export interface FeedKey {
  xid: string;
  position: string;
}

const XID8_MAX = 18446744073709551615n;
const BIGINT_MAX = 9223372036854775807n;
const digits = (max: bigint) =>
  z
    .string()
    .regex(/^\d{1,20}$/)
    .refine((s) => BigInt(s) <= max);

// Opaque to clients: base64url of ["e1", xid, position]; the tag lets a later layout refuse an old one.
const codec = cursorCodec(z.tuple([z.literal("e1"), digits(XID8_MAX), digits(BIGINT_MAX)]));

export const encodeFeedCursor = (k: FeedKey) => codec.encode(["e1", k.xid, k.position]);
export function decodeFeedCursor(cursor: string): FeedKey {
  const [, xid, position] = codec.decode(cursor);
  return { xid, position };
}

export interface FeedQuery {
  after?: FeedKey;
  types?: readonly string[];
  subject?: string;
  limit: number;
}

/**
 * One page of the feed, in (xid, position) order, with the key to go on from.
 *
 * No gaps, no repeats (EVENTS §3), although transactions commit out of position order: only rows whose
 * writer's xid is below the xmin of the statement's own snapshot are served. Every transaction below xmin
 * has ended, and any transaction that writes later gets an xid at or above it, so the set of committed
 * rows below xmin never grows afterwards. Serving that set in (xid, position) order, a follower's cursor
 * is always past rows that can no longer appear, and every row that appears later sorts after it.
 * Serving below xmin in *position* order would not do: a transaction still running (xid ≥ xmin) may hold a
 * lower position than a row already served. xmin comes from pg_current_snapshot() in the same statement,
 * so it is the very snapshot the rows are read with (in another statement, a transaction committing in
 * between would be below the new xmin yet invisible to the read: a gap).
 *
 * The price: an event is served once every transaction that took an xid before its writer has ended;
 * one long writing transaction anywhere on the server holds the feed back (never loses anything).
 *
 * A cursor before the purged prefix (events_horizon, retention.ts) is refused 410 CURSOR_EXPIRED, in the
 * same statement, so a purge committing meanwhile cannot slip between the check and the read.
 */
export async function readFeed(pool: Pick<pg.Pool, "query">, q: FeedQuery) {
  const { rows } = await pool.query<EventRow & { expired: boolean }>(FEED_SQL, [
    q.after?.xid ?? null,
    q.after?.position ?? null,
    q.types && q.types.length > 0 ? q.types : null,
    q.subject ?? null,
    q.limit,
  ]);
  if (rows[0]?.expired) {
    throw new AppError("CURSOR_EXPIRED", "the cursor is older than the events kept; start again without `after`", [
      { path: "after", message: "events after it were removed by the retention" },
    ]);
  }
  const found = rows.filter((r) => r.id !== null);
  const last = found.at(-1);
  const next = last ? { xid: last.xid, position: last.position } : (q.after ?? null);
  return { items: found.map(toEnvelope), next };
}

// $1, $2: the cursor's key (null: from the start); $3: types (null: all); $4: subject (null: all); $5: limit.
// The left join answers one row even for an empty page, so `expired` always arrives.
const FEED_SQL = `
  with h as (select pg_snapshot_xmin(pg_current_snapshot()) as xmin),
  gone as (
    select exists (
      select 1 from events_horizon z
      where $1::xid8 is not null and (z.xid, z.position) > ($1::xid8, $2::bigint)
    ) as expired)
  select gone.expired, e.*
  from gone left join lateral (
    select e.xid::text as xid, e.position::text as position, e.id::text as id, e.source, e.type, e.subject,
      to_char(e.time at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as time,
      e.dataschema, e.businessdate::text as businessdate, e.data
    from events e, h
    where e.xid < h.xmin
      and ($1::xid8 is null or (e.xid, e.position) > ($1::xid8, $2::bigint))
      and ($3::text[] is null or e.type = any($3::text[]))
      and ($4::text is null or e.subject = $4::text)
    order by e.xid, e.position
    limit $5
  ) e on not gone.expired`;
