import PgBoss from "pg-boss";
import type { Logger } from "./log.ts";

/** A started pg-boss on the service's own database, in its own schema. */
export async function startBoss(connectionString: string, log: Logger, max = 4): Promise<PgBoss> {
  const boss = new PgBoss({ connectionString, schema: "pgboss", max, application_name: "pgboss" });
  // pg-boss reports maintenance and polling failures here (a database restart, say) and carries on.
  boss.on("error", (err) => log.warn("pg-boss error", { err }));
  await boss.start();
  return boss;
}

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
