import type pg from "pg";
import { OUTBOX_CHANNEL } from "./enqueue.ts";

/** One line per topic that has anything pending, delivered in the last hour, or dead. */
export interface TopicStatus {
  topic: string;
  pending: number;
  due: number;
  retrying: number;
  oldestAgeSeconds: number | null;
  lastMinute: number;
  lastHour: number;
  dead: number;
}

export interface DeadLetter {
  id: string;
  topic: string;
  aggregateId: string;
  attempts: number;
  deadAt: Date;
  lastError: string | null;
}

type Queryable = Pick<pg.Client, "query">;

export async function topicStatus(c: Queryable): Promise<TopicStatus[]> {
  const { rows } = await c.query(`
    with dead as (select topic, count(*)::int as dead from outbox where dead_at is not null group by topic)
    select coalesce(b.topic, r.topic, d.topic) as topic,
           coalesce(b.pending, 0)::int as pending,
           coalesce(b.due, 0)::int as due,
           coalesce(b.retrying, 0)::int as retrying,
           extract(epoch from b.oldest_age)::float8 as oldest_age_seconds,
           coalesce(r.last_minute, 0)::int as last_minute,
           coalesce(r.last_hour, 0)::int as last_hour,
           coalesce(d.dead, 0)::int as dead
    from outbox_backlog b
    full join outbox_delivery_rate r on r.topic = b.topic
    full join dead d on d.topic = coalesce(b.topic, r.topic)
    order by 1`);
  return rows.map((r) => ({
    topic: r.topic,
    pending: r.pending,
    due: r.due,
    retrying: r.retrying,
    oldestAgeSeconds: r.oldest_age_seconds,
    lastMinute: r.last_minute,
    lastHour: r.last_hour,
    dead: r.dead,
  }));
}

export async function deadLetters(c: Queryable, limit = 50): Promise<DeadLetter[]> {
  const { rows } = await c.query(
    `select id::text, topic, aggregate_id, attempts, dead_at, last_error from outbox_dead_letters limit $1`,
    [limit],
  );
  return rows.map((r) => ({
    id: r.id,
    topic: r.topic,
    aggregateId: r.aggregate_id,
    attempts: r.attempts,
    deadAt: r.dead_at,
    lastError: r.last_error,
  }));
}

/**
 * Puts dead rows back in the queue as new (attempts 0, due now) and wakes the relays. A requeued row goes
 * after any later messages of its aggregate that were delivered while it was dead; receivers whose
 * statuses only move forward take that in their stride.
 */
export async function requeueDead(c: Queryable, which: { id: string } | "all"): Promise<string[]> {
  await c.query("begin");
  try {
    const { rows } = await c.query<{ id: string }>(
      `update outbox set dead_at = null, attempts = 0, next_attempt_at = now()
       where dead_at is not null and ($1::bigint is null or id = $1::bigint)
       returning id::text as id`,
      [which === "all" ? null : which.id],
    );
    await c.query("select pg_notify($1, '')", [OUTBOX_CHANNEL]);
    await c.query("commit");
    return rows.map((r) => r.id);
  } catch (err) {
    await c.query("rollback");
    throw err;
  }
}

/** `95` → "1m35s"; compact, for a table cell. */
export function formatAge(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return "-";
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  return `${Math.floor(s / 86_400)}d${String(Math.floor((s % 86_400) / 3600)).padStart(2, "0")}h`;
}

/** A plain-text table: a header, a rule, one line per row; numbers right-aligned. */
export function formatTable(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const cells = [header.map(String), ...rows.map((r) => r.map(String))];
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === "number"));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(cells[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}
