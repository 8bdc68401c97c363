/**
 * The outbox relay: delivers pending outbox rows to the peer's batch endpoint until it acknowledges them.
 *
 * When: a wake after a local commit (`wake()`), NOTIFY from other processes' commits, an in-process sweep
 * every `sweepEverySeconds`, a timer for the soonest retry, and a pg-boss cron job each minute as the last
 * safety net. Wakes coalesce into drain loops, at most `concurrency` at once; a loop claims batch after
 * batch while they come back full.
 *
 * How, per batch: claim (one short statement, claim.ts) → one signed POST per topic (send.ts) → record
 * every answer in a second transaction (record.ts). No lock is held across the HTTP call; a lease hides
 * claimed rows from other instances instead, and `attempts` fences the recording. Rows of one aggregate go
 * one at a time, in id order. See claim.ts for why two instances never have one row in flight at once,
 * and how a killed relay's rows come back.
 */
import type { Kysely, Transaction } from "kysely";
import type { PgBoss } from "pg-boss";
import { ensureQueue } from "../boss.ts";
import type { Logger } from "../log.ts";
import type { OutboxMetrics } from "../metrics/index.ts";
import { createBossTransport, type OutboxTransport } from "./boss-transport.ts";
import { type ClaimedMessage, claimBatch } from "./claim.ts";
import { OUTBOX_CHANNEL } from "./enqueue.ts";
import { createListener } from "./listener.ts";
import { PURGE_CRON, purgeDelivered, relayQueues, SWEEP_CRON } from "./maintenance.ts";
import { type RelayOptions, resolveOptions } from "./options.ts";
import { recordOutcomes } from "./record.ts";
import { type Outcomes, relaySender } from "./send.ts";
import type { WireMessage } from "./types.ts";

export type { RelayOptions } from "./options.ts";

export interface RelayRoute<DB> {
  /** Full endpoint URL, e.g. `${ORIGINATION_URL}/internal/applications`. */
  url: string;
  /** Runs in the transaction that marks the row delivered; if it throws, the row is retried instead. */
  onAnswer?: (trx: Transaction<DB>, message: WireMessage, result: unknown) => Promise<void>;
}

export interface RelayDeps<DB> {
  /** "pe" | "origination": used in pg-boss queue names and logs. */
  name: string;
  /** The service database (has the outbox table). */
  db: Kysely<DB>;
  /** For the LISTEN connection. */
  connectionString: string;
  /** Already started by the service; the relay must be stopped before it. */
  boss: PgBoss;
  /** By topic; a pending row whose topic has no route is left alone. */
  routes: Record<string, RelayRoute<DB>>;
  /** SERVICE_SECRET, for signBody. */
  secret: string;
  log: Logger;
  metrics?: OutboxMetrics;
  options?: Partial<RelayOptions>;
  clock?: () => number;
  /** In [0, 1), for the backoff jitter; tests pin it. */
  random?: () => number;
  /** "pgboss" is the benchmarks' baseline (boss-transport.ts), never for production; default "relay". */
  transport?: OutboxTransport;
}

export interface Relay {
  /** Registers the pg-boss schedules, starts listening and sweeping, and drains what is due. */
  start(): Promise<void>;
  /**
   * Stops listening, sweeping and this instance's pg-boss workers (the cron schedules stay: they are
   * shared by every instance), waits for batches in flight to be recorded, closes the HTTP pool.
   * Stop the relay before the pg-boss instance it was given.
   */
  stop(): Promise<void>;
  /** Call after a transaction that enqueued has committed. Cheap; many wakes while draining coalesce. */
  wake(): void;
  /** Drains now until a batch comes back short; resolves to the number of messages sent. */
  drainOnce(): Promise<number>;
}

// After a failing drain (the database is down, say) loops wait this long before claiming again.
const ERROR_PAUSE_MS = 1_000;

export function createRelay<DB>(deps: RelayDeps<DB>): Relay {
  if (deps.transport === "pgboss") return createBossTransport(deps);
  const options = resolveOptions(deps.options);
  const { db, log, name } = deps;
  const random = deps.random ?? Math.random;
  const topics = Object.keys(deps.routes);
  const queues = relayQueues(name);
  const sender = relaySender(deps, options);
  const listener = createListener({
    connectionString: deps.connectionString,
    channel: OUTBOX_CHANNEL,
    onNotify: () => wake(),
    log,
    applicationName: `outbox-listener-${name}`,
  });

  let state: "idle" | "running" | "stopped" = "idle";
  let requested = false;
  let active = 0;
  let pausedUntil = 0;
  const inFlight = new Set<Promise<unknown>>();
  const workers: Array<{ queue: string; id: string }> = [];
  let sweepTimer: NodeJS.Timeout | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let retryAt = Number.POSITIVE_INFINITY;

  const track = <T>(p: Promise<T>): Promise<T> => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p)).catch(() => {});
    return p;
  };

  /** Sends one topic's messages and records the answers; resolves to how many were delivered. */
  async function deliver(topic: string, messages: ClaimedMessage[]): Promise<number> {
    const route = deps.routes[topic]!;
    const started = performance.now();
    const outcomes = await sender.send(route.url, messages);
    const sentMs = Math.round(performance.now() - started);
    try {
      const s = await recordOutcomes(db, messages, outcomes, options, route.onAnswer, random);
      if (deps.metrics) observe(deps.metrics, topic, messages, outcomes);
      const recordMs = Math.round(performance.now() - started) - sentMs;
      const fields = {
        topic,
        sent: messages.length,
        delivered: s.delivered,
        failed: s.failed,
        stale: s.stale,
        sentMs,
        recordMs,
      };
      if (s.failed > 0) {
        const first = [...outcomes.values()].find((o) => o.outcome !== "ok");
        log.warn("outbox delivery failed", { ...fields, error: first && "error" in first ? first.error : undefined });
      } else log.debug("outbox batch delivered", fields);
      for (const d of s.dead) log.error("outbox message dead", { topic, id: d.id, error: d.error });
      if (s.soonestRetryMs !== undefined) retryIn(s.soonestRetryMs);
      return s.delivered;
    } catch (err) {
      // The rows stay leased and come back when the lease ends; the peer takes the repeat.
      log.error("outbox could not record answers", { topic, ids: messages.length, err: String(err) });
      return 0;
    }
  }

  async function drainBatch(): Promise<{ claimed: number; delivered: number }> {
    const claimed = await claimBatch(db, { topics, limit: options.batchSize, leaseMs: options.leaseMs });
    const byTopic = new Map<string, ClaimedMessage[]>();
    for (const m of claimed) {
      const list = byTopic.get(m.topic);
      if (list) list.push(m);
      else byTopic.set(m.topic, [m]);
    }
    const delivered = await Promise.all([...byTopic].map(([topic, list]) => deliver(topic, list)));
    return { claimed: claimed.length, delivered: delivered.reduce((a, b) => a + b, 0) };
  }

  /**
   * Claims batch after batch while they come back full; errors go to the caller. After a batch that
   * delivered something it claims once more: a delivered message may have been holding back the next
   * message of its aggregate, which is due now rather than at the next sweep.
   */
  async function drainLoop(): Promise<number> {
    let handled = 0;
    active++;
    try {
      while (state !== "stopped") {
        const { claimed: n, delivered } = await drainBatch();
        handled += n;
        if (n === 0 || (n < options.batchSize && delivered === 0)) break;
        if (n < options.batchSize) continue;
        // A full batch means a backlog: let another loop join in, up to the concurrency.
        requested = true;
        pump();
      }
      return handled;
    } finally {
      active--;
    }
  }

  function pump(): void {
    while (state === "running" && requested && active < options.concurrency && Date.now() >= pausedUntil) {
      requested = false;
      const loop = drainLoop().catch((err) => {
        log.warn("outbox drain failed", { err: String(err) });
        // Do not spin against a database that is down: pause, then look again.
        pausedUntil = Date.now() + ERROR_PAUSE_MS;
        requested = true;
        setTimeout(pump, ERROR_PAUSE_MS).unref();
      });
      void track(loop).finally(pump);
    }
  }

  function wake(): void {
    if (state !== "running") return;
    requested = true;
    pump();
  }

  // Retries come due on their own schedule; wake for the soonest rather than wait for the sweep.
  function retryIn(ms: number): void {
    if (state !== "running") return;
    const at = Date.now() + ms;
    if (at >= retryAt) return;
    clearTimeout(retryTimer);
    retryAt = at;
    retryTimer = setTimeout(() => {
      retryAt = Number.POSITIVE_INFINITY;
      wake();
    }, ms + 5);
    retryTimer.unref();
  }

  function drainOnce(): Promise<number> {
    if (state === "stopped") return Promise.resolve(0);
    return track(drainLoop());
  }

  return {
    async start() {
      if (state !== "idle") throw new Error(`outbox relay ${name} cannot start: it is ${state}`);
      state = "running";
      // One schedule row per queue, shared by every instance; pg-boss sends each cron job once.
      await ensureQueue(deps.boss, queues.sweep, { retryLimit: 0, expireInSeconds: 300 });
      await ensureQueue(deps.boss, queues.purge, { retryLimit: 1, expireInSeconds: 3_600 });
      await deps.boss.schedule(queues.sweep, SWEEP_CRON, {}, { tz: "UTC" });
      await deps.boss.schedule(queues.purge, PURGE_CRON, {}, { tz: "UTC" });
      const polling = { pollingIntervalSeconds: 10 };
      workers.push(
        {
          queue: queues.sweep,
          id: await deps.boss.work(queues.sweep, polling, async () => {
            await drainOnce();
          }),
        },
        {
          queue: queues.purge,
          id: await deps.boss.work(queues.purge, polling, async () => {
            const purged = await purgeDelivered(db, options.retentionDays);
            log.info("outbox purged delivered rows", { purged, olderThanDays: options.retentionDays });
          }),
        },
      );
      await listener.start();
      sweepTimer = setInterval(wake, options.sweepEverySeconds * 1000);
      sweepTimer.unref();
      log.info("outbox relay started", { name, topics, listening: listener.connected });
      wake();
    },

    async stop() {
      if (state === "stopped") return;
      state = "stopped";
      clearInterval(sweepTimer);
      clearTimeout(retryTimer);
      for (const w of workers.splice(0)) await deps.boss.offWork(w.queue, { id: w.id, wait: true }).catch(() => {});
      await listener.stop();
      await Promise.allSettled([...inFlight]);
      await sender.close();
      log.info("outbox relay stopped", { name });
    },

    wake,
    drainOnce,
  };
}

function observe(metrics: OutboxMetrics, topic: string, messages: readonly ClaimedMessage[], outcomes: Outcomes): void {
  metrics.batchSize.observe({ topic }, messages.length);
  const now = Date.now();
  for (const m of messages) {
    const o = outcomes.get(m.id);
    // A request that failed as a whole answers DELIVERY_FAILED for every item: nothing reached the peer's code.
    const outcome = o?.outcome === "retry" && o.error.code === "DELIVERY_FAILED" ? "failed" : (o?.outcome ?? "failed");
    metrics.attempts.inc({ topic, outcome });
    if (outcome === "ok") metrics.deliveryLatency.observe({ topic }, (now - m.createdAt.getTime()) / 1000);
  }
}
