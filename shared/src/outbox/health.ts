/**
 * Each destination's health, in the database so every relay instance shares it (`outbox_destinations`).
 *
 * A request that gets no usable answer (refused, timed out, a non-200) marks its destination failing.
 * While it fails, no batches go to it; its deliveries stay backed off, and one probe at a time does go, at
 * most every `probeEveryMs` across all instances (a lease on the destination row, taken by one instance).
 * The first answer the destination gives, to a probe or to any batch, marks it healthy and makes all its
 * waiting deliveries due at once, with a NOTIFY, so its backlog drains at full speed straight away instead
 * of each row waiting out its own backoff.
 */
import { type Kysely, sql } from "kysely";
import { OUTBOX_CHANNEL } from "./enqueue.ts";

/** Of `names`, those marked failing now. */
export async function failingDestinations<DB>(db: Kysely<DB>, names: readonly string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const { rows } = await sql<{ name: string }>`
    select name from outbox_destinations
    where name = any(${names as string[]}::text[]) and failing_since is not null`.execute(db);
  return rows.map((r) => r.name);
}

export async function markFailing<DB>(db: Kysely<DB>, name: string, error: string): Promise<void> {
  await sql`
    update outbox_destinations
    set failing_since = coalesce(failing_since, now()), last_error = left(${error}, 2000)
    where name = ${name}`.execute(db);
}

/**
 * Marks a destination healthy if it was failing; its pending deliveries that wait on a backoff (not those
 * in flight under a lease) become due now. Resolves to how many did.
 */
export async function markHealthy<DB>(db: Kysely<DB>, name: string): Promise<number> {
  const { rows } = await sql<{ due: number }>`
    with healed as (
      update outbox_destinations
      set failing_since = null, last_error = null, probe_lease_until = null
      where name = ${name} and failing_since is not null
      returning name
    ),
    due as (
      update outbox_deliveries d set next_attempt_at = now()
      from healed
      where d.destination = healed.name
        and d.delivered_at is null and d.dead_at is null
        and d.next_attempt_at > now()
        and (d.leased_until is null or d.leased_until <= now())
      returning 1
    )
    select (select count(*) from due)::int as due,
           (select count(*) from healed)::int as healed,
           case when (select count(*) from healed) > 0 then pg_notify(${OUTBOX_CHANNEL}, '') end as notified`.execute(
    db,
  );
  return rows[0]?.due ?? 0;
}

/**
 * Of the failing destinations in `names`, takes the probe of those whose probe is free and not taken in
 * the last `everyMs`: at most one instance gets each, for `leaseMs` (longer than a request can last).
 */
export async function takeProbes<DB>(
  db: Kysely<DB>,
  names: readonly string[],
  opts: { leaseMs: number; everyMs: number },
): Promise<string[]> {
  if (names.length === 0) return [];
  const { rows } = await sql<{ name: string }>`
    update outbox_destinations
    set probe_lease_until = now() + ${opts.leaseMs} * interval '1 millisecond', last_probe_at = now()
    where name = any(${names as string[]}::text[]) and failing_since is not null
      and (probe_lease_until is null or probe_lease_until <= now())
      and (last_probe_at is null or last_probe_at <= now() - ${opts.everyMs} * interval '1 millisecond')
    returning name`.execute(db);
  return rows.map((r) => r.name);
}

export async function releaseProbe<DB>(db: Kysely<DB>, name: string): Promise<void> {
  await sql`update outbox_destinations set probe_lease_until = null where name = ${name}`.execute(db);
}
