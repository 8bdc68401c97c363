import { type Kysely, sql } from "kysely";

/**
 * Brings the `outbox` rows of these messages in line with their deliveries: delivered once every
 * destination acknowledged, dead once any delivery is dead, the highest attempts, the soonest retry and a
 * last error. Two relays recording two destinations of one message at once each read the other's delivery
 * as it was before, so neither clears what the other may have set: `delivered_at` and `dead_at` are only
 * ever set here (a requeue clears `dead_at`), and the later of the two reads both acknowledgements.
 */
export async function summarizeMessages<DB>(db: Kysely<DB>, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await sql`
    update outbox o
    set attempts = s.attempts,
        next_attempt_at = coalesce(s.next_attempt_at, o.next_attempt_at),
        last_error = coalesce(s.last_error, o.last_error),
        dead_at = case when o.delivered_at is null and s.dead then coalesce(o.dead_at, now()) else o.dead_at end,
        delivered_at = case when o.dead_at is null and s.delivered then coalesce(o.delivered_at, now())
                            else o.delivered_at end
    from (
      select d.message_id,
             max(d.attempts) as attempts,
             min(d.next_attempt_at) filter (where d.delivered_at is null and d.dead_at is null) as next_attempt_at,
             max(d.last_error) filter (where d.delivered_at is null) as last_error,
             bool_or(d.dead_at is not null) as dead,
             bool_and(d.delivered_at is not null) as delivered
      from outbox_deliveries d
      where d.message_id = any(${ids as string[]}::bigint[])
      group by d.message_id
    ) s
    -- Said twice so the plan finds the outbox rows by key whatever the statistics: joined alone, on an
    -- outbox not analysed yet, PostgreSQL chose a sequential scan of the whole table for each batch.
    where o.id = s.message_id and o.id = any(${ids as string[]}::bigint[])`.execute(db);
}

/**
 * Repairs the summaries a crash left behind: a relay records a batch without `onAnswer` as two statements
 * (its deliveries, then their messages' summaries), which must stay two, since a fan-out's two relays
 * recording one message at once rely on the later summary seeing both deliveries. A process killed
 * between them leaves a message pending whose deliveries are all delivered or dead; nothing claims it
 * again, so it would stay pending for ever. This finds such messages (overdue by `graceSeconds`, so
 * that a recording in flight is left alone; at most `limit` a call) and summarises them again.
 * Resolves to how many it repaired.
 */
export async function repairSummaries<DB>(db: Kysely<DB>, graceSeconds = 10, limit = 1_000): Promise<number> {
  const { rows } = await sql<{ id: string }>`
    select o.id::text as id from outbox o
    where o.delivered_at is null and o.dead_at is null
      and o.next_attempt_at < now() - ${graceSeconds} * interval '1 second'
      and exists (select 1 from outbox_deliveries d where d.message_id = o.id)
      and not exists (select 1 from outbox_deliveries d
                      where d.message_id = o.id and d.delivered_at is null and d.dead_at is null)
    order by o.next_attempt_at, o.id
    limit ${limit}`.execute(db);
  await summarizeMessages(
    db,
    rows.map((r) => r.id),
  );
  return rows.length;
}
