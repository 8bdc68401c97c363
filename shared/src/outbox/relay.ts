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
 */
import type { Kysely } from "kysely";
import type { PgBoss } from "pg-boss";
import { ensureQueue } from "../boss.ts";
import type { Logger } from "../log.ts";
import type { OutboxMetrics } from "../metrics/index.ts";
import { type ClaimedMessage, claimBatch } from "./claim.ts";
import { OUTBOX_CHANNEL } from "./enqueue.ts";
import { failingDestinations, markFailing, markHealthy, releaseProbe, takeProbes } from "./health.ts";
import { createListener } from "./listener.ts";
import { PURGE_CRON, purgeDelivered, relayQueues, SWEEP_CRON } from "./maintenance.ts";
import { type RelayOptions, resolveOptions } from "./options.ts";
import { claimProbe } from "./probe.ts";
import {
  type AnswerHandler,
  type AnswersHandler,
  recordOutcomes,
  repairSummaries,
  summarizeMessages,
} from "./record.ts";
import { declareRoutes, giveDeliveries, type RoutePair } from "./routing.ts";
import { type Outcomes, relaySender } from "./send.ts";

export type { RelayOptions } from "./options.ts";

export interface RelayRoute<DB> {
  /** The peer, by a stable name (its health and its deliveries are kept under it), e.g. "origination". */
  destination: string;
  /** Full endpoint URL, e.g. `${ORIGINATION_URL}/internal/applications`. */
  url: string;
  /** Runs in the transaction that marks the delivery done; if it throws, the delivery is retried instead. */
  onAnswer?: AnswerHandler<DB>;
  /** onAnswer for a whole batch at once (record.ts); onAnswer stays the fallback, one answer at a time. */
  onAnswers?: AnswersHandler<DB>;
}

/** Where each topic goes: one route, or several for a fan-out (each destination named once per topic). */
export type RelayRoutes<DB> = Record<string, RelayRoute<DB> | readonly RelayRoute<DB>[]>;

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

/** The routes as (topic, destination) pairs, each with its route; refuses a destination named twice for a topic. */
export function routeTable<DB>(routes: RelayRoutes<DB>) {
  const byKey = new Map<string, RelayRoute<DB>>();
  const pairs: RoutePair[] = [];
  for (const [topic, r] of Object.entries(routes)) {
    for (const route of Array.isArray(r) ? r : [r as RelayRoute<DB>]) {
      const key = `${topic}\u0000${route.destination}`;
      if (!route.destination) throw new Error(`outbox route for ${topic} has no destination`);
      if (byKey.has(key)) throw new Error(`outbox topic ${topic} routes to ${route.destination} twice`);
      byKey.set(key, route);
      pairs.push({ topic, destination: route.destination });
    }
  }
  const destinations = [...new Set(pairs.map((p) => p.destination))];
  return {
    pairs,
    topics: [...new Set(pairs.map((p) => p.topic))],
    destinations,
    route: (topic: string, destination: string) => byKey.get(`${topic}\u0000${destination}`),
    topicsOf: (destination: string) => pairs.filter((p) => p.destination === destination).map((p) => p.topic),
  };
}

interface Delivered {
  delivered: number;
  successors: boolean;
}
const NOTHING_DELIVERED: Delivered = { delivered: 0, successors: false };

// A batch in flight this long is waiting on a slow or silent peer: a wake starts another loop beside it.
const SLOW_BATCH_MS = 200;

// After a failing drain (the database is down, say) loops wait this long before claiming again.
const ERROR_PAUSE_MS = 1_000;

export function createRelay<DB>(deps: RelayDeps<DB>): Relay {
  if (deps.transport) return deps.transport(deps);
  const options = resolveOptions(deps.options);
  const { db, log, name } = deps;
  const random = deps.random ?? Math.random;
  const table = routeTable(deps.routes);
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
  // The last batch came back full: more are waiting, and loops may run side by side.
  let backlog = false;
  // When each batch in flight was claimed: one in flight for long lets a wake start another loop.
  const batchesInFlight = new Set<{ at: number }>();
  let active = 0;
  let pausedUntil = 0;
  const inFlight = new Set<Promise<unknown>>();
  const workers: Array<{ queue: string; id: string }> = [];
  let sweepTimer: NodeJS.Timeout | undefined;
  let probeTimer: NodeJS.Timeout | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let retryAt = Number.POSITIVE_INFINITY;
  // Destinations this instance last saw failing: a batch that gets an answer from one of them heals it.
  const failing = new Set<string>();
  let routesDeclared: Promise<unknown> | undefined;
  const declared = () => {
    routesDeclared ??= declareRoutes(db, table.pairs).catch((err) => {
      routesDeclared = undefined;
      throw err;
    });
    return routesDeclared;
  };

  const track = <T>(p: Promise<T>): Promise<T> => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p)).catch(() => {});
    return p;
  };

  /**
   * Sends one (destination, topic) batch and records the answers; resolves to how many were delivered and
   * whether any of them held back a successor (record.ts).
   */
  async function deliver(destination: string, topic: string, messages: ClaimedMessage[]): Promise<Delivered> {
    const route = table.route(topic, destination);
    if (!route) throw new Error(`outbox has no route for ${topic} to ${destination}`);
    const started = performance.now();
    const outcomes = await sender.send(route.url, messages);
    const sentMs = Math.round(performance.now() - started);
    try {
      const handlers = route.onAnswer && { one: route.onAnswer, many: route.onAnswers };
      const s = await recordOutcomes(db, messages, outcomes, options, handlers, random);
      if (deps.metrics) observe(deps.metrics, destination, topic, messages, outcomes);
      await noteHealth(destination, outcomes);
      const recordMs = Math.round(performance.now() - started) - sentMs;
      const fields = { destination, topic, sent: messages.length, delivered: s.delivered, failed: s.failed };
      if (s.failed > 0) {
        const first = [...outcomes.values()].find((o) => o.outcome !== "ok");
        const error = first && "error" in first ? first.error : undefined;
        log.warn("outbox delivery failed", { ...fields, stale: s.stale, sentMs, recordMs, error });
      } else log.debug("outbox batch delivered", { ...fields, stale: s.stale, sentMs, recordMs });
      for (const d of s.dead) log.error("outbox message dead", { destination, topic, id: d.id, error: d.error });
      if (s.soonestRetryMs !== undefined) retryIn(s.soonestRetryMs);
      return { delivered: s.delivered, successors: s.successors };
    } catch (err) {
      // The deliveries stay leased and come back when the lease ends; the peer takes the repeat.
      log.error("outbox could not record answers", { destination, topic, ids: messages.length, err });
      return NOTHING_DELIVERED;
    }
  }

  /** No usable answer at all: the destination is failing. Any answer: it is not (any more). */
  async function noteHealth(destination: string, outcomes: Outcomes): Promise<void> {
    const all = [...outcomes.values()];
    const unreachable = all.length > 0 && all.every((o) => o.outcome === "retry" && o.error.code === "DELIVERY_FAILED");
    if (unreachable) {
      const first = all[0];
      await markFailing(db, destination, first && "error" in first ? first.error.message : "no answer");
      if (!failing.has(destination)) log.warn("outbox destination failing", { destination });
      failing.add(destination);
      return;
    }
    if (!failing.has(destination)) return;
    failing.delete(destination);
    const due = await markHealthy(db, destination);
    log.info("outbox destination answers again", { destination, due });
    wake();
  }

  /** Sends the claimed deliveries that are not dead, one request per (destination, topic). */
  async function sendAll(claimed: ClaimedMessage[]): Promise<Delivered> {
    const dead = claimed.filter((m) => m.dead);
    if (dead.length > 0) {
      await summarizeMessages(db, [...new Set(dead.map((m) => m.id))]);
      for (const m of dead) {
        log.error("outbox message dead", { destination: m.destination, topic: m.topic, id: m.id, error: "no answer" });
      }
    }
    const groups = new Map<string, ClaimedMessage[]>();
    for (const m of claimed) {
      if (m.dead) continue;
      const key = `${m.destination}\u0000${m.topic}`;
      const list = groups.get(key);
      if (list) list.push(m);
      else groups.set(key, [m]);
    }
    const delivered = await Promise.all(
      [...groups.values()].map((list) => deliver(list[0]!.destination!, list[0]!.topic, list)),
    );
    return {
      delivered: delivered.reduce((a, d) => a + d.delivered, 0),
      successors: delivered.some((d) => d.successors),
    };
  }

  async function drainBatch(): Promise<{ claimed: number } & Delivered> {
    const started = { at: Date.now() };
    batchesInFlight.add(started);
    try {
      return await claimAndSend();
    } finally {
      batchesInFlight.delete(started);
    }
  }

  async function claimAndSend(): Promise<{ claimed: number } & Delivered> {
    await declared();
    const claimed = await claimBatch(db, {
      destinations: table.destinations,
      topics: table.topics,
      limit: options.batchSize,
      leaseMs: options.leaseMs,
      maxAttempts: options.maxAttempts,
    });
    return { claimed: claimed.length, ...(await sendAll(claimed)) };
  }

  /**
   * Claims batch after batch; errors go to the caller. It claims again
   * - after a full batch: a backlog, and another loop may join in, up to the concurrency;
   * - when a message delivered was holding back the next message of its aggregate, which is due now
   *   rather than at the next sweep;
   * - when woken while this batch was in flight: something committed after the claim.
   * Otherwise it stops. A wake clears `requested` only here, just before a claim, which sees every commit
   * before it, so no wake is lost and none costs a claim of its own while a loop runs.
   */
  async function drainLoop(): Promise<number> {
    let handled = 0;
    active++;
    try {
      while (state !== "stopped") {
        requested = false;
        const { claimed: n, successors } = await drainBatch();
        handled += n;
        backlog = n >= options.batchSize;
        if (backlog) {
          requested = true;
          pump();
          continue;
        }
        if (!successors && !requested) break;
      }
      return handled;
    } finally {
      active--;
    }
  }

  /**
   * Every probe interval: which destinations are failing, and for those whose probe this instance wins,
   * one probe request. Its answer, if any, heals the destination (noteHealth).
   */
  async function probeTick(): Promise<void> {
    const now = await failingDestinations(db, table.destinations);
    failing.clear();
    for (const d of now) failing.add(d);
    if (now.length === 0) return;
    const won = await takeProbes(db, now, { leaseMs: options.leaseMs, everyMs: options.probeEveryMs * 0.9 });
    await Promise.all(
      won.map(async (destination) => {
        try {
          const claimed = await claimProbe(db, {
            destination,
            topics: table.topicsOf(destination),
            limit: options.probeBatchSize,
            leaseMs: options.leaseMs,
            maxAttempts: options.maxAttempts,
          });
          await sendAll(claimed);
        } finally {
          await releaseProbe(db, destination);
        }
      }),
    );
  }

  let probing = false;
  function probe(): void {
    if (state !== "running" || probing) return;
    probing = true;
    void track(
      probeTick()
        .catch((err) => log.warn("outbox probe failed", { err }))
        .finally(() => {
          probing = false;
        }),
    );
  }

  // A loop is started when none runs, beside the running ones while batches come back full, or when a
  // batch has been in flight for long (a peer that answers slowly or not at all, until the request times
  // out, must not hold up what else is due). A wake while a loop runs a quick batch is left to that loop
  // (drainLoop), instead of a second loop claiming at the same moment and coming back with nothing.
  function pump(): void {
    while (
      state === "running" &&
      requested &&
      (active === 0 || backlog || slowBatchInFlight()) &&
      active < options.concurrency &&
      Date.now() >= pausedUntil
    ) {
      requested = false;
      const loop = drainLoop().catch((err) => {
        log.warn("outbox drain failed", { err });
        // Do not spin against a database that is down: pause, then look again.
        pausedUntil = Date.now() + ERROR_PAUSE_MS;
        requested = true;
        setTimeout(pump, ERROR_PAUSE_MS).unref();
      });
      void track(loop).finally(pump);
    }
  }

  function slowBatchInFlight(): boolean {
    const now = Date.now();
    for (const b of batchesInFlight) if (now - b.at >= SLOW_BATCH_MS) return true;
    return false;
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
      const given = await declareRoutes(db, table.pairs);
      routesDeclared = Promise.resolve();
      if (given > 0) log.info("outbox gave pending messages their deliveries", { messages: given });
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
            await giveDeliveries(db, table.topics);
            const repaired = await repairSummaries(db);
            if (repaired > 0) log.warn("outbox summaries repaired after a crash", { messages: repaired });
            // A wake, not a drain of its own: the drain loops stay within `concurrency` (a loop started
            // beside a running one splits its claim between two requests).
            wake();
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
      probeTimer = setInterval(probe, options.probeEveryMs);
      probeTimer.unref();
      log.info("outbox relay started", { name, routes: table.pairs, listening: listener.connected });
      wake();
      probe();
    },

    async stop() {
      if (state === "stopped") return;
      state = "stopped";
      clearInterval(sweepTimer);
      clearInterval(probeTimer);
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

function observe(
  metrics: OutboxMetrics,
  destination: string,
  topic: string,
  messages: readonly ClaimedMessage[],
  outcomes: Outcomes,
): void {
  metrics.batchSize.observe({ topic, destination }, messages.length);
  const now = Date.now();
  for (const m of messages) {
    const o = outcomes.get(m.id);
    // A request that failed as a whole answers DELIVERY_FAILED for every item: nothing reached the peer's code.
    const outcome = o?.outcome === "retry" && o.error.code === "DELIVERY_FAILED" ? "failed" : (o?.outcome ?? "failed");
    metrics.attempts.inc({ topic, destination, outcome });
    if (outcome === "ok") metrics.deliveryLatency.observe({ topic, destination }, (now - m.createdAt.getTime()) / 1000);
  }
}
