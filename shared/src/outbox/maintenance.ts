import { type Kysely, sql } from "kysely";

/** pg-boss queues of one service's relay: the minute sweep (safety net) and the retention purge. */
export function relayQueues(name: string) {
  return { sweep: `outbox-sweep-${name}`, purge: `outbox-purge-${name}` };
}

export const SWEEP_CRON = "* * * * *";

export const PURGE_CRON = "23 * * * *";

/**
 * Deletes delivered rows older than the retention, in chunks so no statement holds many locks or runs
 * long next to the relay. Dead rows stay until an operator retries them.
 */
export async function purgeDelivered<DB>(db: Kysely<DB>, retentionDays: number, chunk = 5_000): Promise<number> {
  let total = 0;
  for (;;) {
    const r = await sql`
      with doomed as (
        select id from outbox
        where delivered_at < now() - ${retentionDays} * interval '1 day'
        limit ${chunk}
        for update skip locked
      )
      delete from outbox o using doomed where o.id = doomed.id
    `.execute(db);
    const n = Number(r.numAffectedRows ?? 0);
    total += n;
    if (n < chunk) return total;
  }
}
