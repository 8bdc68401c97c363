/**
 * The outbox relay: delivers pending outbox rows to the peer's batch endpoint until it acknowledges them.
 *
 * When: a wake after a local commit (`wake()`), NOTIFY from other processes' commits, an in-process sweep
 * every `sweepEverySeconds`, a timer for the soonest retry, and a pg-boss cron job each minute as the last
 * safety net. Wakes coalesce into drain loops, at most `concurrency` at once; a loop claims batch after
 * batch while they come back full.
 *
 * Where: each topic goes to one destination or several (fan-out); every message has one delivery per
 * destination, claimed, sent, retried and given up on by itself, in id order per (destination, aggregate),
 * so a destination that is down holds back nothing of the others.
 *
 * How, per batch: claim (one short statement, claim.ts) → one signed POST per (destination, topic)
 * (send.ts) → record every answer in a second transaction (record.ts). No lock is held across the HTTP
 * call; a lease hides claimed deliveries from other instances instead, and `claims` fences the recording.
 * See claim.ts for why two instances never have one delivery in flight at once, and how a killed relay's
 * deliveries come back. A request without a usable answer marks its destination failing: then only a
 * probe goes to it, one at a time, until it answers, and then its whole backlog is due at once (health.ts).
 *
 * The schedule is the drain loop's (kit/drain-loop.ts); the step is relay-step.ts, the retry timer and
 * the probes relay-timers.ts. This file wires them, with the listener and the pg-boss cron jobs.
 */
import type { Kysely } from "kysely";
import type { PgBoss } from "pg-boss";
import { ensureQueue } from "../boss.ts";
import { DrainLoop } from "../kit/drain-loop.ts";
import type { Logger } from "../log.ts";
import type { OutboxMetrics } from "../metrics/index.ts";
import { OUTBOX_CHANNEL } from "./enqueue.ts";
import { createListener } from "./listener.ts";
import { PURGE_CRON, purgeDelivered, relayQueues, SWEEP_CRON } from "./maintenance.ts";
import { type RelayOptions, resolveOptions } from "./options.ts";
import { repairSummaries } from "./record.ts";
import { type RelayRoutes, routeTable } from "./relay-routes.ts";
import { type RelayContext, relayStep } from "./relay-step.ts";
import { Prober, RetryTimer } from "./relay-timers.ts";
import { declareRoutes, giveDeliveries } from "./routing.ts";
import { relaySender } from "./send.ts";

export type { RelayOptions } from "./options.ts";
export { type RelayRoute, type RelayRoutes, routeTable } from "./relay-routes.ts";

/** Something else in the relay's place, made from the same dependencies: the benchmarks' pg-boss baseline. */
export type RelayTransport = <DB>(deps: RelayDeps<DB>) => Relay;

export interface RelayDeps<DB> {
  /** "pe" | "origination": used in pg-boss queue names and logs. */
  name: string;
  /** The service database (has the outbox tables). */
  db: Kysely<DB>;
  /** For the LISTEN connection. */
  connectionString: string;
  /** Already started by the service; the relay must be stopped before it. */
  boss: PgBoss;
  /** By topic; a pending message whose topic has no route is left alone. */
  routes: RelayRoutes<DB>;
  /** SERVICE_SECRET, for signBody. */
  secret: string;
  log: Logger;
  metrics?: OutboxMetrics;
  options?: Partial<RelayOptions>;
  clock?: () => number;
  /** In [0, 1), for the backoff jitter; tests pin it. */
  random?: () => number;
  /** Replaces the relay (the benchmarks' baseline); never set in production. */
  transport?: RelayTransport;
}

export interface Relay {
  /** Declares its routes, registers the pg-boss schedules, starts listening and sweeping, drains what is due. */
  start(): Promise<void>;
  /**
   * Stops listening, sweeping and this instance's pg-boss workers (the cron schedules stay: they are
   * shared by every instance), waits for batches in flight to be recorded, closes the HTTP pool.
   * Stop the relay before the pg-boss instance it was given.
   */
  stop(): Promise<void>;
  /** Call after a transaction that enqueued has committed. Cheap; many wakes while draining coalesce. */
  wake(): void;
  /** Drains now until a batch comes back short; resolves to the number of deliveries sent. */
  drainOnce(): Promise<number>;
}

// A batch in flight this long is waiting on a slow or silent peer: a wake starts another loop beside it.
const SLOW_BATCH_MS = 200;

// After a failing drain (the database is down, say) loops wait this long before claiming again.
const ERROR_PAUSE_MS = 1_000;

export function createRelay<DB>(deps: RelayDeps<DB>): Relay {
  if (deps.transport) return deps.transport(deps);
  const relay = relayParts(deps);
  return {
    start: () => startRelay(deps, relay),
    stop: () => stopRelay(deps, relay),
    wake: () => relay.loop.wake(),
    drainOnce: () => relay.loop.drainOnce(),
  };
}

interface RelayParts<DB> {
  ctx: RelayContext<DB>;
  loop: DrainLoop;
  retry: RetryTimer;
  prober: Prober<DB>;
  listener: ReturnType<typeof createListener>;
  /** This instance's pg-boss workers of the cron jobs. */
  workers: Array<{ queue: string; id: string }>;
}

function relayParts<DB>(deps: RelayDeps<DB>): RelayParts<DB> {
  const options = resolveOptions(deps.options);
  const table = routeTable(deps.routes);
  const wake = () => loop.wake();
  const running = () => loop.running;
  const retry = new RetryTimer(wake, running);
  let routesDeclared: Promise<number> | undefined;
  const ctx: RelayContext<DB> = {
    db: deps.db,
    log: deps.log,
    ...(deps.metrics && { metrics: deps.metrics }),
    options,
    random: deps.random ?? Math.random,
    table,
    sender: relaySender(deps, options),
    failing: new Set(),
    declared: () => {
      routesDeclared ??= declareRoutes(deps.db, table.pairs).catch((err) => {
        routesDeclared = undefined;
        throw err;
      });
      return routesDeclared;
    },
    retryIn: (ms) => retry.in(ms),
    wake,
  };
  const loop = new DrainLoop({
    step: () => relayStep(ctx),
    concurrency: options.concurrency,
    slowBatchMs: SLOW_BATCH_MS,
    pauseMs: ERROR_PAUSE_MS,
    sweepEveryMs: options.sweepEverySeconds * 1000,
    onError: (err) => deps.log.warn("outbox drain failed", { err }),
  });
  const listener = createListener({
    connectionString: deps.connectionString,
    channel: OUTBOX_CHANNEL,
    onNotify: wake,
    log: deps.log,
    applicationName: `outbox-listener-${deps.name}`,
  });
  return { ctx, loop, retry, prober: new Prober(ctx, running), listener, workers: [] };
}

async function startRelay<DB>(deps: RelayDeps<DB>, relay: RelayParts<DB>): Promise<void> {
  const { ctx, loop, listener } = relay;
  if (loop.mode !== "new") {
    throw new Error(`outbox relay ${deps.name} cannot start: it is ${loop.running ? "running" : "stopped"}`);
  }
  loop.start();
  const given = await ctx.declared();
  if (given > 0) deps.log.info("outbox gave pending messages their deliveries", { messages: given });
  relay.workers.push(...(await startCronWorkers(deps, ctx)));
  await listener.start();
  deps.log.info("outbox relay started", { name: deps.name, routes: ctx.table.pairs, listening: listener.connected });
  loop.wake();
  relay.prober.start();
}

/** The cron jobs' schedules (one row per queue, shared by every instance: pg-boss sends each job once) and this instance's workers. */
async function startCronWorkers<DB>(deps: RelayDeps<DB>, ctx: RelayContext<DB>) {
  const { boss, db, log } = deps;
  const queues = relayQueues(deps.name);
  await ensureQueue(boss, queues.sweep, { retryLimit: 0, expireInSeconds: 300 });
  await ensureQueue(boss, queues.purge, { retryLimit: 1, expireInSeconds: 3_600 });
  await boss.schedule(queues.sweep, SWEEP_CRON, {}, { tz: "UTC" });
  await boss.schedule(queues.purge, PURGE_CRON, {}, { tz: "UTC" });
  const polling = { pollingIntervalSeconds: 10 };
  const sweep = await boss.work(queues.sweep, polling, async () => {
    await giveDeliveries(db, ctx.table.topics);
    const repaired = await repairSummaries(db);
    if (repaired > 0) log.warn("outbox summaries repaired after a crash", { messages: repaired });
    // A wake, not a drain of its own: the drain loops stay within `concurrency` (a loop started
    // beside a running one splits its claim between two requests).
    ctx.wake();
  });
  const purge = await boss.work(queues.purge, polling, async () => {
    const purged = await purgeDelivered(db, ctx.options.retentionDays);
    log.info("outbox purged delivered rows", { purged, olderThanDays: ctx.options.retentionDays });
  });
  return [
    { queue: queues.sweep, id: sweep },
    { queue: queues.purge, id: purge },
  ];
}

/** Timers first, then pg-boss's workers and the listener, then the batches in flight, then the HTTP pool. */
async function stopRelay<DB>(deps: RelayDeps<DB>, relay: RelayParts<DB>): Promise<void> {
  if (relay.loop.mode === "stopped") return;
  const loops = relay.loop.stop();
  relay.prober.clear();
  relay.retry.clear();
  for (const w of relay.workers.splice(0)) {
    await deps.boss.offWork(w.queue, { id: w.id, wait: true }).catch(() => {});
  }
  await relay.listener.stop();
  await Promise.all([loops, relay.prober.idle()]);
  await relay.ctx.sender.close();
  deps.log.info("outbox relay stopped", { name: deps.name });
}
