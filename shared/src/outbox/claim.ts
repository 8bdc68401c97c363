import { type Kysely, sql } from "kysely";

/** A row taken for one delivery attempt. `attempts` already counts this attempt and fences its recording. */
export interface ClaimedMessage {
  id: string;
  topic: string;
  aggregateId: string;
  /** The payload exactly as PostgreSQL prints the jsonb: spliced into the request body without a re-parse. */
  payloadJson: string;
  createdAt: Date;
  attempts: number;
  requestId?: string | null;
}

interface Row {
  id: string;
  topic: string;
  aggregate_id: string;
  payload_json: string;
  created_at: Date;
  attempts: number;
  request_id: string | null;
}

/**
 * Claims up to `limit` due rows in one short statement (its own transaction) and leases them:
 * `next_attempt_at` moves `leaseMs` ahead, so no other relay sees them as due until the lease ends, and
 * `attempts` goes up by one, which fences the later recording against a relay that outlived its lease.
 * No row lock is held across the HTTP call; SKIP LOCKED only keeps concurrent claimers off each other's
 * rows for the instant of the claim. Once the claim commits, other instances do not see the rows as due
 * until the lease ends, and the lease outlasts the whole request (options.ts enforces
 * leaseMs ≥ connect + request timeout + margin), so a row is never in flight in two instances at once. A
 * relay killed mid-batch leaves its rows leased; they come due when the lease ends and go again (the
 * peer is idempotent), each such claim counting as an attempt.
 *
 * Only the head of each aggregate qualifies: a row whose aggregate has an earlier row still pending (not
 * delivered, not dead) waits, even if that earlier row is itself leased or backing off. So a batch never
 * holds two rows of one aggregate, and the next row of an aggregate goes only after the previous one was
 * acknowledged or given up. Rows of topics that have no route here are left alone.
 *
 * The query's shape is chosen to hold its plan without statistics (an outbox fills from empty faster
 * than autovacuum analyses it): the head test is a LIMIT 1 subquery, which PostgreSQL runs as one index
 * probe per candidate instead of planning it as an anti join (which, misestimated, scanned the whole
 * index per row: seconds per claim at 10 000 rows), and the UPDATE finds its rows by primary key.
 */
export async function claimBatch<DB>(
  db: Kysely<DB>,
  opts: { topics: readonly string[]; limit: number; leaseMs: number },
): Promise<ClaimedMessage[]> {
  if (opts.topics.length === 0) return [];
  const { rows } = await sql<Row>`
    with due as (
      select o.id
      from outbox o
      where o.delivered_at is null and o.dead_at is null
        and o.next_attempt_at <= now()
        and o.topic = any(${opts.topics as string[]}::text[])
        and o.id = (
          select e.id from outbox e
          where e.aggregate_id = o.aggregate_id and e.delivered_at is null and e.dead_at is null
          order by e.id
          limit 1)
      order by o.next_attempt_at, o.id
      limit ${opts.limit}
      for update of o skip locked
    )
    update outbox o
    set attempts = o.attempts + 1,
        next_attempt_at = now() + ${opts.leaseMs} * interval '1 millisecond'
    where o.id = any(array(select id from due))
    returning o.id::text as id, o.topic, o.aggregate_id, o.payload::text as payload_json, o.created_at, o.attempts, o.request_id
  `.execute(db);
  return rows.map((r) => ({
    id: r.id,
    topic: r.topic,
    aggregateId: r.aggregate_id,
    payloadJson: r.payload_json,
    createdAt: r.created_at,
    attempts: r.attempts,
    requestId: r.request_id,
  }));
}
