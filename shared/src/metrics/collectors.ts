import { type Kysely, sql } from "kysely";
import type { PgBoss } from "pg-boss";
import { Gauge } from "prom-client";
import { queueSizes } from "../boss.ts";
import type { Metrics } from "./index.ts";

/** Reads the database at most once per scrape however many gauges ask, and never fails the scrape. */
function perScrape<T>(read: () => Promise<T>, onError: (err: unknown) => void): () => Promise<T | undefined> {
  let last: { at: number; value: Promise<T | undefined> } | undefined;
  return () => {
    if (!last || Date.now() - last.at > 500) {
      last = {
        at: Date.now(),
        value: read().catch((err) => {
          onError(err);
          return undefined;
        }),
      };
    }
    return last.value;
  };
}

interface OutboxRow {
  topic: string;
  pending: string;
  oldest_age_seconds: number | null;
  dead: string;
}

/**
 * Gauges read from the outbox at each scrape, per topic (every topic the relay routes reports, zero
 * included): pending rows, the age of the oldest pending row, dead rows. Pending rows are read through
 * the pending index, dead rows through the dead index; delivered history is never scanned.
 */
export function watchOutbox<DB>(metrics: Metrics, db: Kysely<DB>, topics: readonly string[]): void {
  const read = perScrape(
    async () => {
      const { rows } = await sql<OutboxRow>`
        select t.topic, p.pending, extract(epoch from now() - p.oldest)::float8 as oldest_age_seconds, d.dead
        from unnest(${topics as string[]}::text[]) as t(topic)
        cross join lateral (
          select count(*) as pending, min(o.created_at) as oldest from outbox o
          where o.topic = t.topic and o.delivered_at is null and o.dead_at is null) p
        cross join lateral (
          select count(*) as dead from outbox o where o.topic = t.topic and o.dead_at is not null) d`.execute(db);
      return rows;
    },
    () => metrics.scrapeErrors.inc({ source: "outbox" }),
  );
  const registers = [metrics.registry];
  const gauge = (name: string, help: string, pick: (r: OutboxRow) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ["topic"],
      registers,
      async collect() {
        const rows = await read();
        if (!rows) return;
        for (const r of rows) this.set({ topic: r.topic }, pick(r));
      },
    });
  gauge("outbox_pending_messages", "Outbox rows not yet acknowledged by the peer", (r) => Number(r.pending));
  gauge(
    "outbox_oldest_pending_age_seconds",
    "Age of the oldest pending outbox row: the lag a new message should expect",
    (r) => r.oldest_age_seconds ?? 0,
  );
  gauge("outbox_dead_messages", "Outbox rows given up on after the last attempt", (r) => Number(r.dead));
}

/** Jobs per pg-boss queue at each scrape: queued (created or retrying) and active, counted now. */
export function watchQueues(metrics: Metrics, boss: PgBoss, queues: readonly string[]): void {
  const read = perScrape(
    () => queueSizes(boss, queues),
    () => metrics.scrapeErrors.inc({ source: "pgboss" }),
  );
  new Gauge({
    name: "pgboss_queue_jobs",
    help: "pg-boss jobs per queue, by state: queued (created or retry) and active",
    labelNames: ["queue", "state"],
    registers: [metrics.registry],
    async collect() {
      const sizes = await read();
      if (!sizes) return;
      for (const s of sizes) {
        this.set({ queue: s.queue, state: "queued" }, s.queued);
        this.set({ queue: s.queue, state: "active" }, s.active);
      }
    },
  });
}
