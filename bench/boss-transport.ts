/**
 * A BASELINE for benchmarks, not for production: what a team would build instead of the relay, with
 * pg-boss as the queue. It takes the relay's place through the relay's `transport` dependency, so no
 * production module knows it. While it runs, a trigger on `outbox` (installed at start, dropped at stop)
 * inserts one pg-boss job per message in the writer's transaction, as pg-boss's `db` option would, and
 * pg-boss workers post the jobs' messages in the relay's signed batch format and mark the rows delivered
 * with `onAnswer` in one transaction. No claims, no LISTEN, no sweep, no destinations: delivery is
 * pg-boss fetching (polling, or `notifyWorker` after a local commit), and a failed batch is retried by
 * pg-boss. Per-aggregate ordering is not kept (pg-boss does not offer it).
 *
 * The trigger writes pg-boss's job table directly (its columns as of pg-boss 12: name, data, and the
 * queue's retry, expiry and deletion policy), so a pg-boss upgrade that changes that table must change the
 * trigger too; bench/test/boss-transport.test.ts fails if it does.
 */

import {
  byAggregate,
  type Relay,
  type RelayDeps,
  type RelayRoute,
  resolveOptions,
  routeTable,
  toWire,
} from "@loans/shared/outbox";
import type { ClaimedMessage } from "@loans/shared/outbox/claim";
import { relaySender } from "@loans/shared/outbox/send";
import { type Kysely, sql } from "kysely";
import type { Job } from "pg-boss";

/** One outbox row as a job's data: all the worker needs to post it without reading the outbox. */
export interface BossOutboxJob {
  id: string;
  topic: string;
  aggregateId: string;
  payloadJson: string;
  createdAt: string;
  requestId?: string | null;
}

export const bossTransportQueue = (name: string) => `outbox-baseline-${name}`;

/**
 * The trigger that sends a job for every outbox row, in the writer's transaction. Installed in one
 * transaction under an advisory lock: the instances of a service start at once, and two that interleaved
 * their drop and create failed with "trigger already exists".
 */
async function installTrigger<DB>(db: Kysely<DB>, queue: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('outbox_baseline'))`.execute(trx);
    await sql`
      create or replace function outbox_baseline_job() returns trigger language plpgsql as $$
      begin
        insert into pgboss.job (name, data, retry_limit, retry_delay, retry_backoff, retry_delay_max,
                                expire_seconds, deletion_seconds, policy)
        select q.name,
               jsonb_build_object('id', new.id::text, 'topic', new.topic, 'aggregateId', new.aggregate_id,
                                  'payloadJson', new.payload::text, 'createdAt', to_json(new.created_at) #>> '{}',
                                  'requestId', new.request_id),
               q.retry_limit, q.retry_delay, q.retry_backoff, q.retry_delay_max, q.expire_seconds,
               q.deletion_seconds, q.policy
        from pgboss.queue q where q.name = tg_argv[0];
        return null;
      end $$`.execute(trx);
    await sql`drop trigger if exists outbox_baseline on outbox`.execute(trx);
    await sql`
      create trigger outbox_baseline after insert on outbox
      for each row execute function outbox_baseline_job(${sql.lit(queue)})`.execute(trx);
  });
}

export function createBossTransport<DB>(deps: RelayDeps<DB>): Relay {
  const options = resolveOptions(deps.options);
  const queue = bossTransportQueue(deps.name);
  const sender = relaySender(deps, options);
  const table = routeTable(deps.routes);
  const workers: string[] = [];
  let next = 0;
  let running = false;

  async function deliver(route: RelayRoute<DB>, messages: ClaimedMessage[]): Promise<number> {
    const outcomes = await sender.send(route.url, messages);
    const ok = messages.filter((m) => outcomes.get(m.id)?.outcome === "ok");
    await deps.db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ id: string }>`
        update outbox set delivered_at = now()
        where id = any(${ok.map((m) => m.id)}::bigint[]) and delivered_at is null
        returning id::text as id`.execute(trx);
      const fresh = new Set(rows.map((r) => r.id));
      const answers = byAggregate(ok.filter((m) => fresh.has(m.id))).map((m) => ({
        message: toWire(m),
        result: (outcomes.get(m.id) as { result?: unknown }).result,
      }));
      // The relay's own way (record.ts): all answers at once where the route can, else one by one.
      if (route.onAnswers) await route.onAnswers(trx, answers);
      else for (const a of answers) await route.onAnswer?.(trx, a.message, a.result);
    });
    return messages.length - ok.length;
  }

  async function handle(jobs: Job<BossOutboxJob>[]): Promise<void> {
    const byTopic = new Map<string, ClaimedMessage[]>();
    for (const { data: j } of jobs) {
      const m = { ...j, createdAt: new Date(j.createdAt), attempts: 0 };
      byTopic.set(j.topic, [...(byTopic.get(j.topic) ?? []), m]);
    }
    const failed = await Promise.all(
      [...byTopic].map(([topic, messages]) => {
        // The baseline has no fan-out: each topic's first destination.
        const route = table.pairs.find((p) => p.topic === topic);
        if (!route) throw new Error(`no route for topic ${topic}`);
        return deliver(table.route(topic, route.destination)!, messages);
      }),
    );
    if (jobs.length === options.batchSize) wake();
    const n = failed.reduce((a, b) => a + b, 0);
    // pg-boss retries the whole batch; rows already delivered are skipped on the repeat.
    if (n > 0) throw new Error(`${n} of ${jobs.length} outbox messages not acknowledged`);
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
      await installTrigger(deps.db, queue);
      running = true;
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
      for (const id of workers.splice(0)) await deps.boss.offWork(queue, { id, wait: true }).catch(() => {});
      await sql`drop trigger if exists outbox_baseline on outbox`.execute(deps.db);
      await sender.close();
    },
    wake,
    drainOnce: async () => 0,
  };
}
