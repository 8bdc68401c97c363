import { type Kysely, sql } from "kysely";
import { type ClaimedMessage, type ClaimRow, fromRow, isAggregateHead, leaseAssignments, returned } from "./claim.ts";

/**
 * Claims the probe for a failing destination: up to `limit` head deliveries of one topic, those whose own
 * retry comes soonest, whether due or not (the probe goes on its own clock, not the rows' backoff), never
 * one in flight under a lease. A delivery probed before it was due does not use up an attempt and keeps
 * its schedule if the probe fails (claim.ts, `counted`); one probed when due counts as its attempt.
 * Only the caller holding the destination's probe lease (health.ts) calls this, so one probe is in flight.
 */
export async function claimProbe<DB>(
  db: Kysely<DB>,
  opts: { destination: string; topics: readonly string[]; limit: number; leaseMs: number; maxAttempts: number },
): Promise<ClaimedMessage[]> {
  if (opts.topics.length === 0) return [];
  const { rows } = await sql<ClaimRow>`
    with first as (
      select d.topic from outbox_deliveries d
      where d.destination = ${opts.destination} and d.delivered_at is null and d.dead_at is null
        and d.topic = any(${opts.topics as string[]}::text[])
        and (d.leased_until is null or d.leased_until <= now())
        -- a head too: the soonest delivery may wait behind an earlier one of its aggregate in another topic
        and ${isAggregateHead()}
        -- Always true (the column is not null): it lets the due index (db/outbox/0004) serve the order.
        and d.next_attempt_at is not null
      order by d.next_attempt_at, d.message_id
      limit 1
    ),
    due as (
      select d.message_id, d.destination, d.next_attempt_at as due_at
      from outbox_deliveries d
      where d.destination = ${opts.destination} and d.delivered_at is null and d.dead_at is null
        and d.topic = (select topic from first)
        and (d.leased_until is null or d.leased_until <= now())
        and ${isAggregateHead()}
        and d.next_attempt_at is not null
      order by d.next_attempt_at, d.message_id
      limit ${opts.limit}
      for update of d skip locked
    )
    update outbox_deliveries d
    set ${leaseAssignments(opts, sql`due.due_at <= now()`)}
    from due, outbox o
    where d.message_id = due.message_id and d.destination = due.destination and o.id = d.message_id
    returning ${returned(sql`due.due_at`, sql`due.due_at <= now()`)}
  `.execute(db);
  return rows.map(fromRow);
}
