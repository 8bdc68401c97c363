/**
 * The relay's step, one batch: claim (claim.ts) → one signed POST per (destination, topic) (send.ts) →
 * record every answer (record.ts) → note each destination's health (health.ts). The drain loop
 * (kit/drain-loop.ts) decides when a step runs; this file decides nothing of the schedule.
 */
import type { Kysely } from "kysely";
import type { DrainResult } from "../kit/drain-loop.ts";
import type { Logger } from "../log.ts";
import type { OutboxMetrics } from "../metrics/index.ts";
import { type ClaimedMessage, claimBatch } from "./claim.ts";
import { markFailing, markHealthy } from "./health.ts";
import type { RelayOptions } from "./options.ts";
import { recordOutcomes, summarizeMessages } from "./record.ts";
import type { RouteTable } from "./relay-routes.ts";
import type { Outcomes, Sender } from "./send.ts";

/** What a step needs of its relay. */
export interface RelayContext<DB> {
  db: Kysely<DB>;
  log: Logger;
  metrics?: OutboxMetrics;
  options: RelayOptions;
  /** In [0, 1), for the backoff jitter. */
  random: () => number;
  table: RouteTable<DB>;
  sender: Sender;
  /** Destinations this instance last saw failing: a batch that gets an answer from one of them heals it. */
  failing: Set<string>;
  /** Declares the routes once (again after a failure); resolves to how many pending messages it gave deliveries. */
  declared(): Promise<number>;
  /** A retry comes due in `ms`. */
  retryIn(ms: number): void;
  wake(): void;
}

interface Delivered {
  delivered: number;
  successors: boolean;
}
const NOTHING_DELIVERED: Delivered = { delivered: 0, successors: false };

/**
 * One batch. Full when it claimed a whole batch; `more` when a message delivered was holding back the
 * next message of its aggregate (record.ts), which is due now rather than at the next sweep.
 */
export async function relayStep<DB>(ctx: RelayContext<DB>): Promise<DrainResult> {
  await ctx.declared();
  const { options } = ctx;
  const claimed = await claimBatch(ctx.db, {
    destinations: ctx.table.destinations,
    topics: ctx.table.topics,
    limit: options.batchSize,
    leaseMs: options.leaseMs,
    maxAttempts: options.maxAttempts,
  });
  const { successors } = await sendAll(ctx, claimed);
  return { claimed: claimed.length, full: claimed.length >= options.batchSize, more: successors };
}

/** Sends the claimed deliveries that are not dead, one request per (destination, topic). */
export async function sendAll<DB>(ctx: RelayContext<DB>, claimed: ClaimedMessage[]): Promise<Delivered> {
  const dead = claimed.filter((m) => m.dead);
  if (dead.length > 0) {
    await summarizeMessages(ctx.db, [...new Set(dead.map((m) => m.id))]);
    for (const m of dead) {
      ctx.log.error("outbox message dead", {
        destination: m.destination,
        topic: m.topic,
        id: m.id,
        error: "no answer",
      });
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
    [...groups.values()].map((list) => deliver(ctx, list[0]!.destination!, list[0]!.topic, list)),
  );
  return {
    delivered: delivered.reduce((a, d) => a + d.delivered, 0),
    successors: delivered.some((d) => d.successors),
  };
}

/**
 * Sends one (destination, topic) batch and records the answers; resolves to how many were delivered and
 * whether any of them held back a successor (record.ts).
 */
async function deliver<DB>(
  ctx: RelayContext<DB>,
  destination: string,
  topic: string,
  messages: ClaimedMessage[],
): Promise<Delivered> {
  const { db, log } = ctx;
  const route = ctx.table.route(topic, destination);
  if (!route) throw new Error(`outbox has no route for ${topic} to ${destination}`);
  const started = performance.now();
  const outcomes = await ctx.sender.send(route.url, messages);
  const sentMs = Math.round(performance.now() - started);
  try {
    const handlers = route.onAnswer && { one: route.onAnswer, many: route.onAnswers };
    const s = await recordOutcomes(db, messages, outcomes, ctx.options, handlers, ctx.random);
    if (ctx.metrics) observe(ctx.metrics, destination, topic, messages, outcomes);
    await noteHealth(ctx, destination, outcomes);
    const recordMs = Math.round(performance.now() - started) - sentMs;
    const fields = { destination, topic, sent: messages.length, delivered: s.delivered, failed: s.failed };
    if (s.failed > 0) {
      const first = [...outcomes.values()].find((o) => o.outcome !== "ok");
      const error = first && "error" in first ? first.error : undefined;
      log.warn("outbox delivery failed", { ...fields, stale: s.stale, sentMs, recordMs, error });
    } else log.debug("outbox batch delivered", { ...fields, stale: s.stale, sentMs, recordMs });
    for (const d of s.dead) log.error("outbox message dead", { destination, topic, id: d.id, error: d.error });
    if (s.soonestRetryMs !== undefined) ctx.retryIn(s.soonestRetryMs);
    return { delivered: s.delivered, successors: s.successors };
  } catch (err) {
    // The deliveries stay leased and come back when the lease ends; the peer takes the repeat.
    log.error("outbox could not record answers", { destination, topic, ids: messages.length, err });
    return NOTHING_DELIVERED;
  }
}

/** No usable answer at all: the destination is failing. Any answer: it is not (any more), and its backlog is due. */
async function noteHealth<DB>(ctx: RelayContext<DB>, destination: string, outcomes: Outcomes): Promise<void> {
  const { db, failing, log } = ctx;
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
  ctx.wake();
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
