import { type Kysely, sql } from "kysely";
import type PgBoss from "pg-boss";

/** pg-boss queues of one service's relay: the minute sweep (safety net) and the retention purge. */
export function relayQueues(name: string) {
  return { sweep: `outbox-sweep-${name}`, purge: `outbox-purge-${name}` };
}

export const SWEEP_CRON = "* * * * *";

// Deadlock and unique violation: what two instances creating one queue at once run into.
const CREATE_RACE = new Set(["40P01", "23505"]);

/**
 * Creates a pg-boss queue unless it exists. pg-boss 10 creates a queue's partition with DDL, and two
 * instances starting together deadlock on it; the loser retries and then finds the queue there.
 */
export async function ensureQueue(boss: PgBoss, name: string, options: Omit<PgBoss.Queue, "name">): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    if (await boss.getQueue(name)) return;
    try {
      await boss.createQueue(name, { name, ...options });
      return;
    } catch (err) {
      if (attempt >= 5 || !CREATE_RACE.has((err as { code?: string }).code ?? "")) throw err;
      await new Promise((r) => setTimeout(r, Math.random() * 100 * attempt));
    }
  }
}
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
