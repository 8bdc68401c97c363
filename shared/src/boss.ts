import PgBoss from "pg-boss";
import type { Logger } from "./log.ts";

/** A started pg-boss on the service's own database, in its own schema. */
export async function startBoss(connectionString: string, log: Logger, max = 4): Promise<PgBoss> {
  const boss = new PgBoss({ connectionString, schema: "pgboss", max, application_name: "pgboss" });
  // pg-boss reports maintenance and polling failures here (a database restart, say) and carries on.
  boss.on("error", (err) => log.warn("pg-boss error", { err: String(err) }));
  await boss.start();
  return boss;
}
