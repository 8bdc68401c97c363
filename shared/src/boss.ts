import { CompiledQuery, type Kysely, type Transaction } from "kysely";
import pg from "pg";
import { type Db, PgBoss, type Queue } from "pg-boss";
import type { Logger } from "./log.ts";

/** A started pg-boss on the service's own database, in its own schema. */
export async function startBoss(connectionString: string, log: Logger, max = 4): Promise<PgBoss> {
  await retireV10Schema(connectionString, log);
  const boss = new PgBoss({ connectionString, schema: "pgboss", max, application_name: "pgboss" });
  // pg-boss reports maintenance and polling failures here (a database restart, say) and carries on.
  boss.on("error", (err) => log.warn("pg-boss error", { err }));
  try {
    await boss.start();
  } catch (err) {
    // A start that failed half-way may hold connections: close them before giving up.
    await boss.stop({ graceful: false }).catch(() => {});
    throw err;
  }
  return boss;
}

/** The last schema version pg-boss 10 wrote; pg-boss 11 rewrote the schema and migrates only from its own. */
const LAST_V10_SCHEMA = 24;

/**
 * pg-boss 12 refuses to start on a schema pg-boss 10 made ("the oldest supported starting version is
 * 25"): pg-boss 11 replaced the schema and offers no migration from 10. Nothing durable lives there for
 * us (the outbox and the applications are the record: Origination scores an application from its
 * applications table, not from a job, and the relay re-registers its schedules at start), so an old
 * schema is renamed aside to `pgboss_v10` for an operator to look at or drop, and pg-boss installs a
 * fresh one. Under an advisory lock, so instances starting together do it once.
 */
export async function retireV10Schema(connectionString: string, log: Logger): Promise<void> {
  const client = new pg.Client({ connectionString, application_name: "pgboss-upgrade" });
  await client.connect();
  try {
    await client.query("begin");
    await client.query("select pg_advisory_xact_lock(hashtext('loans.pgboss-v10-upgrade'))");
    const table = await client.query<{ found: boolean }>("select to_regclass($1) is not null as found", [
      "pgboss.version",
    ]);
    const version = table.rows[0]?.found
      ? Number((await client.query<{ version: number }>("select version from pgboss.version")).rows[0]?.version)
      : undefined;
    if (version !== undefined && version <= LAST_V10_SCHEMA) {
      await client.query("drop schema if exists pgboss_v10 cascade");
      await client.query("alter schema pgboss rename to pgboss_v10");
      log.warn("pg-boss 10 schema renamed aside; pg-boss installs its current one", {
        version,
        renamedTo: "pgboss_v10",
      });
    }
    await client.query("commit");
  } catch (err) {
    await client.query("rollback").catch(() => {});
    throw err;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Creates a pg-boss queue unless it exists. Since pg-boss 11 a queue is a row in `queue` (its jobs go
 * to a shared table unless it asks for a partition of its own), created under an advisory lock with
 * `on conflict do nothing`: two instances creating one queue at once no longer deadlock on DDL, as they
 * did with pg-boss 10, so there is nothing to retry.
 */
export async function ensureQueue(boss: PgBoss, name: string, options: Omit<Queue, "name">): Promise<void> {
  if (await boss.getQueue(name)) return;
  await boss.createQueue(name, options);
}

const QUEUE_SIZES = `
  select name,
         count(*) filter (where state in ('created', 'retry'))::int as queued,
         count(*) filter (where state = 'active')::int as active
  from pgboss.job
  where name = any($1::text[]) and state in ('created', 'retry', 'active')
  group by name`;

export interface QueueSize {
  queue: string;
  /** Created or waiting for a retry. */
  queued: number;
  active: number;
}

/**
 * Jobs of each queue not yet finished, counted now. pg-boss 12 has no `getQueueSize` any more, and the
 * counts `getQueue` answers are those of its last monitor pass (up to a minute old); so one query over
 * its job table, through its own pool.
 */
export async function queueSizes(boss: PgBoss, queues: readonly string[]): Promise<QueueSize[]> {
  const { rows } = await boss.getDb().executeSql(QUEUE_SIZES, [queues]);
  const byQueue = new Map((rows as Array<{ name: string; queued: number; active: number }>).map((r) => [r.name, r]));
  return queues.map((queue) => ({
    queue,
    queued: Number(byQueue.get(queue)?.queued ?? 0),
    active: Number(byQueue.get(queue)?.active ?? 0),
  }));
}

/** Jobs of one queue not yet finished (created, retrying or active), counted now. */
export async function unfinishedJobs(boss: PgBoss, queue: string): Promise<number> {
  const [size] = await queueSizes(boss, [queue]);
  return (size?.queued ?? 0) + (size?.active ?? 0);
}

/**
 * pg-boss's `db` option over a kysely transaction: a job sent through it is inserted by that
 * transaction, so it exists if and only if the transaction commits (pg-boss `send(name, data, { db })`).
 */
export function bossDb<DB>(trx: Transaction<DB> | Kysely<DB>): Db {
  return {
    async executeSql(text: string, values: unknown[]) {
      // sql-safe: pg-boss's own SQL text, its values passed separately as bound parameters
      const result = await trx.executeQuery(CompiledQuery.raw(text, values));
      return { rows: result.rows as unknown[] };
    },
  };
}
