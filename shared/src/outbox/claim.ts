import { type Kysely, sql } from "kysely";

/** A delivery taken for one attempt: one message, to one destination. */
export interface ClaimedMessage {
  id: string;
  topic: string;
  aggregateId: string;
  /** The payload exactly as PostgreSQL prints the jsonb: spliced into the request body without a re-parse. */
  payloadJson: string;
  createdAt: Date;
  /** Tries counted against the limit, this one included when it counts (see `counted`). */
  attempts: number;
  requestId?: string | null;
  /** The peer it goes to; absent only where a caller builds messages by hand (the bench's baseline). */
  destination?: string;
  /** The delivery's claim count after this claim: fences the recording against a relay that outlived its lease. */
  claims?: number;
  /**
   * False for a probe of a delivery that was not due yet: it does not use up an attempt, and if it fails
   * the delivery keeps the schedule it had (`dueAt`).
   */
  counted?: boolean;
  dueAt?: Date;
  /** Its attempts were used up before this claim (a relay died with it in flight each time): marked dead, not sent. */
  dead?: boolean;
}

interface Row {
  id: string;
  topic: string;
  aggregate_id: string;
  destination: string;
  payload_json: string;
  created_at: Date;
  attempts: number;
  claims: number;
  request_id: string | null;
  counted: boolean;
  due_at: Date;
  dead: boolean;
}

export interface ClaimOptions {
  /** Destinations this relay delivers to; those marked failing are left to the probe (health.ts). */
  destinations: readonly string[];
  topics: readonly string[];
  limit: number;
  leaseMs: number;
  maxAttempts: number;
}

/**
 * Claims up to `limit` due deliveries in one short statement (its own transaction) and leases them:
 * `next_attempt_at` and `leased_until` move `leaseMs` ahead, so no other relay sees them as due until the
 * lease ends, `attempts` goes up by one and `claims` too, which fences the later recording against a relay
 * that outlived its lease. No row lock is held across the HTTP call; SKIP LOCKED only keeps concurrent
 * claimers off each other's rows for the instant of the claim. The lease outlasts the whole request
 * (options.ts enforces leaseMs ≥ connect + request timeout + margin), so a delivery is never in flight in
 * two instances at once. A relay killed mid-batch leaves its deliveries leased; they come due when the
 * lease ends and go again (the peer is idempotent), each such claim counting as an attempt.
 *
 * A delivery whose attempts are used up is marked dead here instead of being sent: one that kills the
 * relay on every attempt never has an answer recorded, and would otherwise be tried for ever.
 *
 * Only the head of each (destination, aggregate) qualifies: a delivery whose aggregate has an earlier
 * delivery still pending to the same destination waits, even if that one is leased or backing off. So a
 * batch never holds two messages of one aggregate for one destination, and a destination that is down
 * holds back only its own deliveries. Destinations marked failing are not claimed from at all: their
 * probe (probe.ts) is the only traffic they get until they answer.
 *
 * The query's shape is chosen to hold its plan without statistics (an outbox fills from empty faster
 * than autovacuum analyses it): the head test is a LIMIT 1 subquery, which PostgreSQL runs as one index
 * probe per candidate instead of planning it as an anti join (which, misestimated, scanned the whole
 * index per row: seconds per claim at 10 000 rows), and the UPDATE finds its rows by their tuple ids (a
 * TID scan) and each message by primary key. The head test itself can only go through the head index:
 * the due index's predicate names next_attempt_at, which the test does not (db/outbox/0004 says why).
 */
export async function claimBatch<DB>(db: Kysely<DB>, opts: ClaimOptions): Promise<ClaimedMessage[]> {
  if (opts.topics.length === 0 || opts.destinations.length === 0) return [];
  const { rows } = await sql<Row>`
    with due as (
      select d.ctid as tid
      from outbox_deliveries d
      where d.delivered_at is null and d.dead_at is null
        and d.next_attempt_at <= now()
        and d.destination = any(array(
          select name from outbox_destinations
          where name = any(${opts.destinations as string[]}::text[]) and failing_since is null))
        and d.topic = any(${opts.topics as string[]}::text[])
        and ${isAggregateHead()}
      order by d.next_attempt_at, d.message_id
      limit ${opts.limit}
      for update of d skip locked
    )
    update outbox_deliveries d
    set ${leaseAssignments(opts, sql`true`)}
    from outbox o
    where d.ctid = any(array(select tid from due)) and o.id = d.message_id
    returning ${returned(sql`d.next_attempt_at`, sql`true`)}
  `.execute(db);
  return rows.map(fromRow);
}

/**
 * The test that delivery `d` is the head of its (destination, aggregate): no earlier delivery of its
 * aggregate still pending to the same destination. Written as a LIMIT 1 subquery on purpose, for the claim
 * and the probe alike: PostgreSQL runs it as one index probe per candidate and keeps that plan without
 * statistics, where an anti join (NOT EXISTS), misestimated on an outbox that filled faster than
 * autovacuum analysed it, scanned the whole index per row (claimBatch's header says more).
 */
export function isAggregateHead() {
  return sql`d.message_id = (
          select e.message_id from outbox_deliveries e
          where e.destination = d.destination and e.aggregate_id = d.aggregate_id
            and e.delivered_at is null and e.dead_at is null
          order by e.message_id
          limit 1)`;
}

/**
 * What a claim writes. A delivery out of attempts becomes dead; one claimed by a probe before it was
 * due (`counted` false) keeps its attempts, so probes during a long outage do not use up the rows they
 * happen to pick.
 */
export function leaseAssignments(opts: { leaseMs: number; maxAttempts: number }, counted: ReturnType<typeof sql>) {
  const spent = sql`d.attempts >= ${opts.maxAttempts}`;
  return sql`
      claims = d.claims + 1,
      attempts = d.attempts + case when ${spent} or not (${counted}) then 0 else 1 end,
      dead_at = case when ${spent} then now() end,
      last_error = case when ${spent}
                        then left('no answer recorded after the last attempt; last: ' || coalesce(d.last_error, '-'), 2000)
                        else d.last_error end,
      next_attempt_at = now() + ${opts.leaseMs} * interval '1 millisecond',
      leased_until = case when ${spent} then null else now() + ${opts.leaseMs} * interval '1 millisecond' end`;
}

export function returned(dueAt: ReturnType<typeof sql>, counted: ReturnType<typeof sql>) {
  return sql`o.id::text as id, o.topic, o.aggregate_id, d.destination, o.payload::text as payload_json,
      o.created_at, d.attempts, d.claims, o.request_id, ${counted} as counted, ${dueAt} as due_at,
      d.dead_at is not null as dead`;
}

export function fromRow(r: Row): ClaimedMessage {
  return {
    id: r.id,
    topic: r.topic,
    aggregateId: r.aggregate_id,
    destination: r.destination,
    payloadJson: r.payload_json,
    createdAt: r.created_at,
    attempts: r.attempts,
    claims: r.claims,
    requestId: r.request_id,
    counted: r.counted,
    dueAt: r.due_at,
    dead: r.dead,
  };
}

export type { Row as ClaimRow };
