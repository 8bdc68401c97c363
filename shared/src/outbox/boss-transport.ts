/**
 * A BASELINE for benchmarks, not for production: what a team would build instead of the relay, with
 * pg-boss as the queue. `OUTBOX_TRANSPORT=pgboss` makes `enqueue` also send one pg-boss job per
 * message in the writer's transaction (pg-boss's `db` option), and replaces the relay with pg-boss
 * workers that post the jobs' messages in the relay's signed batch format and record the answers the
 * relay's way (`recordOutcomes`: outbox row delivered and `onAnswer` in one transaction). No claims, no
 * LISTEN, no sweep: delivery is pg-boss fetching (polling, or `notifyWorker` after a local commit), and a
 * failed batch is retried by pg-boss. Per-aggregate ordering is not kept (pg-boss does not offer it).
 *
 * `enqueue` has no handle on pg-boss, so the running transport registers itself in this module; one
 * service per process, as the services run.
 */
import { CompiledQuery, type Transaction } from "kysely";
import type { Db, Job, PgBoss } from "pg-boss";
import type { ClaimedMessage } from "./claim.ts";
import { resolveOptions } from "./options.ts";
import { recordOutcomes } from "./record.ts";
import type { Relay, RelayDeps } from "./relay.ts";
import { relaySender } from "./send.ts";

export type OutboxTransport = "relay" | "pgboss";

/** One outbox row as a job's data: all the worker needs to post it without reading the outbox. */
export interface BossOutboxJob {
  id: string;
  topic: string;
  aggregateId: string;
  payloadJson: string;
  createdAt: string;
  requestId?: string | null;
}

interface Registered {
  boss: PgBoss;
  queue: string;
  afterSend?: () => void;
}

let registered: Registered | undefined;

/** Set while a pg-boss transport runs in this process; `enqueue` sends jobs to it. */
export function bossTransportTarget(): Registered | undefined {
  return registered;
}

/** Sends the jobs through the writer's transaction: they exist if and only if it commits. */
export async function sendOutboxJobs<DB>(trx: Transaction<DB>, target: Registered, jobs: BossOutboxJob[]) {
  const db: Db = {
    // sql-safe: pg-boss's own SQL text, its values passed separately as bound parameters
    executeSql: async (text, values) => ({ rows: (await trx.executeQuery(CompiledQuery.raw(text, values))).rows }),
  };
  await target.boss.insert(
    target.queue,
    jobs.map((data) => ({ data })),
    { db },
  );
}

export const bossTransportQueue = (name: string) => `outbox-baseline-${name}`;

export function createBossTransport<DB>(deps: RelayDeps<DB>): Relay {
  const options = resolveOptions(deps.options);
  const queue = bossTransportQueue(deps.name);
  const sender = relaySender(deps, options);
  const workers: string[] = [];
  let next = 0;
  let running = false;

  async function handle(jobs: Job<BossOutboxJob>[]): Promise<void> {
    const byTopic = new Map<string, ClaimedMessage[]>();
    for (const { data: j } of jobs) {
      const m = { ...j, createdAt: new Date(j.createdAt), attempts: 0 };
      byTopic.set(j.topic, [...(byTopic.get(j.topic) ?? []), m]);
    }
    let failed = 0;
    await Promise.all(
      [...byTopic].map(async ([topic, messages]) => {
        const route = deps.routes[topic];
        if (!route) throw new Error(`no route for topic ${topic}`);
        const outcomes = await sender.send(route.url, messages);
        const s = await recordOutcomes(deps.db, messages, outcomes, options, route.onAnswer, deps.random);
        failed += s.failed + s.dead.length;
      }),
    );
    if (jobs.length === options.batchSize) wake();
    // pg-boss retries the whole batch; rows already recorded as delivered are skipped on the repeat.
    if (failed > 0) throw new Error(`${failed} of ${jobs.length} outbox messages not acknowledged`);
  }

  function wake(): void {
    if (!running || workers.length === 0) return;
    deps.boss.notifyWorker(workers[next++ % workers.length]!);
  }

  return {
    async start() {
      const policy = {
        retryLimit: options.maxAttempts,
        retryDelay: 1,
        retryBackoff: true,
        expireInSeconds: 300,
      };
      await deps.boss.createQueue(queue, policy);
      running = true;
      registered = { boss: deps.boss, queue };
      for (let i = 0; i < options.concurrency; i++) {
        workers.push(
          await deps.boss.work<BossOutboxJob>(
            queue,
            { batchSize: options.batchSize, pollingIntervalSeconds: 0.5 },
            handle,
          ),
        );
      }
      deps.log.info("outbox pg-boss baseline transport started", { name: deps.name, queue });
    },
    async stop() {
      if (!running) return;
      running = false;
      registered = undefined;
      for (const id of workers.splice(0)) await deps.boss.offWork(queue, { id, wait: true }).catch(() => {});
      await sender.close();
    },
    wake,
    drainOnce: async () => 0,
  };
}
