import { type Kysely, sql } from "kysely";
import { type PeriodicJob, periodic } from "../periodic.ts";

/**
 * Removes the events older than the retention, as a prefix of the feed (in (xid, position) order), and
 * records the last key removed in events_horizon: a cursor before it is answered 410 CURSOR_EXPIRED, one at
 * or after it has lost nothing. Removing by age alone would not be a prefix (an old event written by a
 * transaction that committed late sorts after newer ones), and a follower could then miss one unawares.
 *
 * The prefix ends before the first event, in feed order, that is younger than the cutoff or not settled
 * (its writer's xid at or above the snapshot's xmin): every event that can still appear sorts after it.
 * In chunks, so no statement holds many locks or runs long beside the writers (outbox/maintenance.ts).
 */
export async function purgeEvents<DB>(db: Kysely<DB>, retentionDays: number, chunk = 5_000): Promise<number> {
  let total = 0;
  for (;;) {
    const r = await sql<{ n: number }>`
      with h as (select pg_snapshot_xmin(pg_current_snapshot()) as xmin),
      stop as (
        select e.xid, e.position from events e, h
        where e.time >= now() - ${retentionDays} * interval '1 day' or e.xid >= h.xmin
        order by e.xid, e.position limit 1),
      doomed as (
        select e.xid, e.position from events e, h
        where e.xid < h.xmin
          and not exists (select 1 from stop s where (s.xid, s.position) <= (e.xid, e.position))
        order by e.xid, e.position limit ${chunk}),
      gone as (
        delete from events e using doomed d where e.xid = d.xid and e.position = d.position
        returning e.xid, e.position),
      last as (select xid, position from gone order by xid desc, position desc limit 1),
      moved as (
        insert into events_horizon (one, xid, position) select true, xid, position from last
        on conflict (one) do update set xid = excluded.xid, position = excluded.position
          where (events_horizon.xid, events_horizon.position) < (excluded.xid, excluded.position))
      select count(*)::int as n from gone`.execute(db);
    const n = r.rows[0]?.n ?? 0;
    total += n;
    if (n < chunk) return total;
  }
}

/** The hourly purge, a worker beside the service's own (start-service.ts), as the idempotency keys have. */
export function eventsPurger<DB>(
  db: Kysely<DB>,
  retentionDays: number,
  log: { warn(msg: string, fields?: Record<string, unknown>): void },
  everyMs = 3_600_000,
): PeriodicJob {
  return periodic("events purge", () => purgeEvents(db, retentionDays), log, everyMs);
}
