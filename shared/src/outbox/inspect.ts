import type pg from "pg";
import { OUTBOX_CHANNEL } from "./enqueue.ts";

/** One line per (topic, destination) that has anything pending, delivered in the last hour, or dead. */
export interface TopicStatus {
  topic: string;
  /** Null for pending messages of a topic that has no route (yet), and dead ones from before destinations. */
  destination: string | null;
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
  destination: string | null;
  aggregateId: string;
  attempts: number;
  deadAt: Date;
  lastError: string | null;
}

type Queryable = Pick<pg.Client, "query">;

export async function topicStatus(c: Queryable): Promise<TopicStatus[]> {
  const { rows } = await c.query(`
    with dead as (
      select topic, destination, count(*)::int as dead from outbox_dead_letters group by topic, destination),
    keys as (
      select topic, destination from outbox_backlog
      union select topic, destination from outbox_delivery_rate
      union select topic, destination from dead)
    select k.topic, k.destination,
           coalesce(b.pending, 0)::int as pending,
           coalesce(b.due, 0)::int as due,
           coalesce(b.retrying, 0)::int as retrying,
           extract(epoch from b.oldest_age)::float8 as oldest_age_seconds,
           coalesce(r.last_minute, 0)::int as last_minute,
           coalesce(r.last_hour, 0)::int as last_hour,
           coalesce(d.dead, 0)::int as dead
    from keys k
    left join outbox_backlog b on b.topic = k.topic and b.destination is not distinct from k.destination
    left join outbox_delivery_rate r on r.topic = k.topic and r.destination is not distinct from k.destination
    left join dead d on d.topic = k.topic and d.destination is not distinct from k.destination
    order by 1, 2 nulls first`);
  return rows.map((r) => ({
    topic: r.topic,
    destination: r.destination,
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
    `select id::text, topic, destination, aggregate_id, attempts, dead_at, last_error from outbox_dead_letters limit $1`,
    [limit],
  );
  return rows.map((r) => ({
    id: r.id,
    topic: r.topic,
    destination: r.destination,
    aggregateId: r.aggregate_id,
    attempts: r.attempts,
    deadAt: r.dead_at,
    lastError: r.last_error,
  }));
}

export interface RequeueOptions {
  /** Requeue even where later messages of the aggregate were delivered meanwhile (they cannot be unsent). */
  force?: boolean;
  /** Runs in the requeue's transaction once the ids are known: the operator's audit row commits with them. */
  beforeCommit?: (c: Queryable, ids: readonly string[]) => Promise<void>;
}

/** A requeue that would send a message after later ones of its aggregate; nothing was requeued. */
export class RequeueRefused extends Error {
  override name = "RequeueRefused";
}

interface Group {
  destination: string | null;
  aggregate_id: string;
  first_dead: string;
  later_delivered: string[];
}

/** What to requeue: one message (and its aggregate's other dead ones), one (destination, aggregate), or all. */
export type RequeueTarget = { id: string } | { destination: string; aggregateId: string } | "all";

/**
 * Puts dead deliveries back in the queue as new (attempts 0, due now) and wakes the relays.
 *
 * Order per (destination, aggregate) is what the relay keeps, and a requeue keeps it as far as it still
 * can: it takes every dead delivery of each (destination, aggregate) it touches, so they go again together
 * and in id order, ahead of any later message of the aggregate still pending there (the relay sends the
 * lowest pending id first). What it cannot do is put a message before later ones that were delivered while
 * it was dead: those cannot be unsent. So it refuses, naming them, and requeues nothing, unless `force`
 * says the receiver copes with the late message (PE's and Origination's do: their statuses only move
 * forward, and a withdrawal outranks everything).
 *
 * A message marked dead without a dead delivery (before destinations, or by hand) is requeued as a whole;
 * a message with no delivery at all gets one per route.
 */
export async function requeueDead(c: Queryable, which: RequeueTarget, opts: RequeueOptions = {}): Promise<string[]> {
  await c.query("begin");
  try {
    const groups = await deadGroups(c, which);
    refuseIfDeliveredLater(groups, opts);
    const { ids, whole } = await requeueGroups(c, groups);
    await makeWhole(c, ids, whole);
    if (ids.length > 0) await opts.beforeCommit?.(c, ids);
    await c.query("select pg_notify($1, '')", [OUTBOX_CHANNEL]);
    await c.query("commit");
    return ids.sort((a, b) => Number(a) - Number(b));
  } catch (err) {
    await c.query("rollback");
    throw err;
  }
}

/**
 * The groups: (destination, aggregate) of the chosen dead deliveries, or (null, aggregate) of dead
 * messages without a dead delivery; each with its first dead id and the later ids delivered meanwhile.
 */
async function deadGroups(c: Queryable, which: RequeueTarget): Promise<Group[]> {
  const id = typeof which === "object" && "id" in which ? which.id : null;
  const pair = typeof which === "object" && "destination" in which ? which : null;
  const { rows } = await c.query<Group>(
    `with chosen as (
       select d.destination, d.aggregate_id from outbox_deliveries d
       where d.dead_at is not null and ($1::bigint is null or d.message_id = $1::bigint)
         and ($2::text is null or (d.destination = $2::text and d.aggregate_id = $3::text))
       union
       select null, o.aggregate_id from outbox o
       where o.dead_at is not null and ($1::bigint is null or o.id = $1::bigint) and $2::text is null
         and not exists (select 1 from outbox_deliveries x where x.message_id = o.id and x.dead_at is not null)),
     dead as (
       select c.destination, c.aggregate_id, min(o.id) as first_dead
       from chosen c
       join outbox o on o.aggregate_id = c.aggregate_id
       left join outbox_deliveries d on d.message_id = o.id and d.destination = c.destination
       where (c.destination is not null and d.dead_at is not null)
          or (c.destination is null and o.dead_at is not null)
       group by c.destination, c.aggregate_id)
     select g.destination, g.aggregate_id, g.first_dead::text,
            array(select o.id::text from outbox o
                  left join outbox_deliveries d on d.message_id = o.id and d.destination = g.destination
                  where o.aggregate_id = g.aggregate_id and o.id > g.first_dead
                    and (d.delivered_at is not null or (g.destination is null and o.delivered_at is not null))
                  order by o.id) as later_delivered
     from dead g`,
    [id, pair?.destination ?? null, pair?.aggregateId ?? null],
  );
  return rows;
}

function refuseIfDeliveredLater(groups: Group[], opts: RequeueOptions) {
  const blocked = groups.filter((g) => g.later_delivered.length > 0);
  if (blocked.length === 0 || opts.force) return;
  const list = blocked
    .map((g) => `${g.aggregate_id} → ${g.destination ?? "(all)"}: ${g.later_delivered.join(", ")}`)
    .join("; ");
  throw new RequeueRefused(
    `requeueing would send dead messages after later ones of their aggregate that were delivered meanwhile (${list}); ` +
      "requeue with --force if the receiver takes a late message in its stride",
  );
}

/** Every dead delivery of each group, and each whole dead message of a (null, aggregate) group, made new. */
async function requeueGroups(c: Queryable, groups: Group[]): Promise<{ ids: string[]; whole: string[] }> {
  const destinations = groups.map((g) => g.destination);
  const aggregates = groups.map((g) => g.aggregate_id);
  const { rows: deliveries } = await c.query<{ id: string }>(
    `update outbox_deliveries d
     set dead_at = null, attempts = 0, next_attempt_at = now(), leased_until = null
     from unnest($1::text[], $2::text[]) as g(destination, aggregate_id)
     where d.destination = g.destination and d.aggregate_id = g.aggregate_id and d.dead_at is not null
     returning d.message_id::text as id`,
    [destinations, aggregates],
  );
  const { rows: whole } = await c.query<{ id: string }>(
    `update outbox o
     set dead_at = null, attempts = 0, next_attempt_at = now()
     from unnest($1::text[], $2::text[]) as g(destination, aggregate_id)
     where g.destination is null and o.aggregate_id = g.aggregate_id and o.dead_at is not null
       and not exists (select 1 from outbox_deliveries x where x.message_id = o.id and x.dead_at is not null)
     returning o.id::text as id`,
    [destinations, aggregates],
  );
  const ids = [...new Set([...deliveries.map((r) => r.id), ...whole.map((r) => r.id)])];
  return { ids, whole: whole.map((r) => r.id) };
}

// Messages that are whole again; those without any delivery get one per route.
async function makeWhole(c: Queryable, ids: string[], whole: string[]) {
  await c.query(
    `update outbox o set dead_at = null, attempts = s.attempts
     from (select message_id, max(attempts) as attempts, bool_or(dead_at is not null) as dead
           from outbox_deliveries where message_id = any($1::bigint[]) group by message_id) s
     where o.id = s.message_id and not s.dead`,
    [ids],
  );
  await c.query(
    `update outbox_deliveries d set attempts = 0, next_attempt_at = now(), leased_until = null
     where d.message_id = any($1::bigint[]) and d.delivered_at is null and d.dead_at is null`,
    [whole],
  );
  await c.query(
    `insert into outbox_deliveries (message_id, destination, topic, aggregate_id)
     select o.id, r.destination, o.topic, o.aggregate_id
     from outbox o join outbox_routes r on r.topic = o.topic
     where o.id = any($1::bigint[]) and not exists (select 1 from outbox_deliveries x where x.message_id = o.id)`,
    [whole],
  );
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
