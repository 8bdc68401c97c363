import { type Kysely, sql } from "kysely";

/** One (topic, destination) pair a relay delivers. */
export interface RoutePair {
  topic: string;
  destination: string;
}

/**
 * Makes `outbox_routes` say where each of these topics goes, as this relay is configured: enqueue reads it
 * to write each message's deliveries. Topics this relay does not route are left as they are (another
 * service's relay may declare them). Then gives their deliveries to pending messages that have none: those
 * written while their topic had no route, and those of a database made before destinations existed.
 */
export async function declareRoutes<DB>(db: Kysely<DB>, pairs: readonly RoutePair[]): Promise<number> {
  if (pairs.length === 0) return 0;
  const topics = pairs.map((p) => p.topic);
  const destinations = pairs.map((p) => p.destination);
  await db.transaction().execute(async (trx) => {
    await sql`
      insert into outbox_destinations (name)
      select distinct unnest(${destinations}::text[])
      on conflict do nothing`.execute(trx);
    await sql`
      delete from outbox_routes r
      where r.topic = any(${topics}::text[])
        and (r.topic, r.destination) not in (select * from unnest(${topics}::text[], ${destinations}::text[]))`.execute(
      trx,
    );
    await sql`
      insert into outbox_routes (topic, destination)
      select * from unnest(${topics}::text[], ${destinations}::text[])
      on conflict do nothing`.execute(trx);
  });
  return giveDeliveries(db, [...new Set(topics)]);
}

/**
 * Deliveries for pending messages of these topics that have none, one per route, taking over the
 * message's own attempts and schedule (a message of the old layout keeps its history). Reads the pending
 * messages only; runs at start and with the minute sweep.
 */
export async function giveDeliveries<DB>(db: Kysely<DB>, topics: readonly string[]): Promise<number> {
  const r = await sql`
    insert into outbox_deliveries (message_id, destination, topic, aggregate_id, attempts, next_attempt_at, last_error)
    select o.id, r.destination, o.topic, o.aggregate_id, o.attempts, o.next_attempt_at, o.last_error
    from outbox o
    join outbox_routes r on r.topic = o.topic
    where o.delivered_at is null and o.dead_at is null
      and o.topic = any(${topics as string[]}::text[])
      and not exists (select 1 from outbox_deliveries d where d.message_id = o.id)
    on conflict do nothing`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}
