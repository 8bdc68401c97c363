/**
 * The measured runs of bench/outbox.ts: the outbox relay, and pg-boss used as a plain queue, each
 * sending to the same peer. They live here, beside the packages they import; the bench script only
 * prepares the database and reports.
 */
import { CompiledQuery, type Kysely, sql } from "kysely";
import { type Db, type Job, PgBoss } from "pg-boss";
import { Pool } from "undici";
import { unfinishedJobs } from "../src/boss.ts";
import { createDatabase } from "../src/db.ts";
import { signRequest } from "../src/http/service-auth.ts";
import { createLogger } from "../src/log.ts";
import { enqueueMessages } from "../src/outbox/enqueue.ts";
import type { RelayOptions } from "../src/outbox/options.ts";
import { createRelay } from "../src/outbox/relay.ts";
import type { OutboxDB } from "../src/outbox/types.ts";
import type { FastPeer } from "./fast-peer.ts";

export interface BenchSettings {
  secret: string;
  latencyN: number;
  gapMs: number;
  drainN: number;
  relay: Partial<RelayOptions>;
  bossLatency: { batchSize: number; pollingIntervalSeconds: number };
  bossDrain: { workers: number; batchSize: number; pollingIntervalSeconds: number };
}

const TOPIC = "bench.event";

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const progress = (line: string) => process.stderr.write(`\r${line.padEnd(78)}`);
const done = (line: string) => process.stderr.write(`\r${line.padEnd(78)}\n`);

export interface Latency {
  p50: number;
  p99: number;
  max: number;
  n: number;
}

function summarize(values: number[]): Latency {
  const s = [...values].sort((a, b) => a - b);
  const at = (p: number) => s[Math.max(0, Math.ceil(p * s.length) - 1)]!;
  return { p50: at(0.5), p99: at(0.99), max: s.at(-1)!, n: s.length };
}

async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Sends s.latencyN single messages s.gapMs apart; `send` commits one and returns the time just before commit. */
async function latencyRun(s: BenchSettings, label: string, peer: FastPeer, send: (key: string) => Promise<number>) {
  const keys: string[] = [];
  const before: number[] = [];
  for (let i = 0; i < s.latencyN; i++) {
    const key = `${label}-${i}`;
    before.push(await send(key));
    keys.push(key);
    if (i % 25 === 0) progress(`[${label}] sent ${i + 1}/${s.latencyN}`);
    await sleep(s.gapMs);
  }
  let seen: Array<number | null> = [];
  await waitUntil(`${label}: all seen`, async () => {
    seen = await peer.seen(keys);
    return seen.every((s) => s !== null);
  });
  const result = summarize(seen.map((s, i) => s! - before[i]!));
  done(`[${label}] p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms`);
  return { keys, before, seenLatency: result };
}

async function drainWatch(
  s: BenchSettings,
  label: string,
  peer: FastPeer,
  start: number,
  finished: () => Promise<boolean>,
) {
  const base = (await peer.stats()).messages;
  let last = { at: start, n: 0 };
  let seenAllAt = 0;
  await waitUntil(`${label}: drained`, async () => {
    const n = (await peer.stats()).messages - base;
    const t = now();
    if (t - last.at >= 1000) {
      progress(`[${label}] ${n}/${s.drainN} at the peer, ${Math.round(((n - last.n) * 1000) / (t - last.at))} msg/s`);
      last = { at: t, n };
    }
    if (n < s.drainN) return false;
    seenAllAt ||= t;
    return finished();
  });
  const end = now();
  const rate = (s.drainN * 1000) / (end - start);
  done(`[${label}] ${s.drainN} in ${((end - start) / 1000).toFixed(2)} s: ${Math.round(rate)} msg/s`);
  return { seconds: (end - start) / 1000, msgPerSec: rate, peerSawAllAfterSeconds: (seenAllAt - start) / 1000 };
}

export async function relayBench(url: string, peer: FastPeer, s: BenchSettings) {
  const handle = createDatabase<OutboxDB>(url, 10);
  const db = handle.db;
  const log = createLogger("bench", "warn");
  const boss = new PgBoss({ connectionString: url, schema: "pgboss", max: 2 });
  boss.on("error", (e) => log.warn("pg-boss", { e: String(e) }));
  await boss.start();
  const make = () =>
    createRelay<OutboxDB>({
      name: "bench",
      db,
      connectionString: url,
      boss,
      routes: { [TOPIC]: { destination: "peer", url: `${peer.url}/internal/events` } },
      secret: s.secret,
      log,
      options: s.relay,
    });
  const commit = async (key: string) => {
    let before = 0;
    await db.transaction().execute(async (trx) => {
      await enqueueMessages(trx, { topic: TOPIC, aggregateId: key, payload: { key } });
      before = now();
    });
    return before;
  };

  let relay = make();
  await relay.start();
  const woken = await latencyRun(s, "relay, wake()", peer, async (key) => {
    const before = await commit(key);
    relay.wake();
    return before;
  });
  const notified = await latencyRun(s, "relay, NOTIFY only", peer, commit);
  await waitUntil("all acknowledged", async () => {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from outbox where delivered_at is null`.execute(db);
    return rows[0]!.n === 0;
  });
  const { rows } = await sql<{ key: string; at: number }>`
    select payload->>'key' as key, extract(epoch from delivered_at) * 1000 as at
    from outbox where payload->>'key' = any(${woken.keys})`.execute(db);
  const ackAt = new Map(rows.map((r) => [r.key, Number(r.at)]));
  const acked = summarize(woken.keys.map((k, i) => ackAt.get(k)! - woken.before[i]!));
  await relay.stop();

  progress(`[relay drain] inserting ${s.drainN} rows`);
  await sql`
    insert into outbox (aggregate_id, topic, payload)
    select 'drain-' || n, ${TOPIC}, jsonb_build_object('key', 'drain-' || n, 'amount', '300000.00', 'term', 12)
    from generate_series(1, ${s.drainN}) n`.execute(db);
  // Their deliveries, as enqueue writes them (the relay's routes are declared by now).
  await sql`
    insert into outbox_deliveries (message_id, destination, topic, aggregate_id)
    select o.id, 'peer', o.topic, o.aggregate_id from outbox o
    where o.delivered_at is null and not exists (select 1 from outbox_deliveries d where d.message_id = o.id)`.execute(
    db,
  );
  await sql`analyze outbox`.execute(db);
  await sql`analyze outbox_deliveries`.execute(db);
  relay = make();
  const start = now();
  await relay.start();
  const drain = await drainWatch(s, "relay drain", peer, start, async () => {
    const r = await sql<{ n: number }>`select count(*)::int as n from outbox where delivered_at is null`.execute(db);
    return r.rows[0]!.n === 0;
  });
  await relay.stop();
  await boss.stop({ graceful: false });
  await handle.close();
  return { latencyWake: woken.seenLatency, latencyNotify: notified.seenLatency, latencyAck: acked, drain };
}

/** pg-boss's `db` option, so the job is sent in the writer's transaction. */
const bossDb = (trx: Kysely<OutboxDB>): Db => ({
  executeSql: async (text, values) => ({ rows: (await trx.executeQuery(CompiledQuery.raw(text, values))).rows }),
});

export async function bossBench(url: string, peer: FastPeer, s: BenchSettings) {
  const handle = createDatabase<OutboxDB>(url, 10);
  const db = handle.db;
  const boss = new PgBoss({ connectionString: url, schema: "pgboss", max: 10 });
  boss.on("error", (e) => process.stderr.write(`pg-boss error: ${e}\n`));
  await boss.start();
  const http = new Pool(peer.url, { connections: 8 });
  const post = async (jobs: Job<{ key: string }>[]) => {
    const messages = jobs.map((j) => ({
      id: j.id,
      topic: TOPIC,
      aggregateId: j.data.key,
      payload: j.data,
      createdAt: new Date().toISOString(),
    }));
    const body = JSON.stringify({ messages });
    const res = await http.request({
      path: "/internal/events",
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...signRequest(s.secret, { method: "POST", path: "/internal/events", body }),
      },
      body,
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`peer answered ${res.statusCode}: ${text}`);
  };
  const queue = "bench-latency";
  await boss.createQueue(queue);
  const worker = await boss.work(queue, s.bossLatency, post);
  const commit = async (key: string) => {
    let before = 0;
    await db.transaction().execute(async (trx) => {
      await boss.send(queue, { key }, { db: bossDb(trx) });
      before = now();
    });
    return before;
  };
  const polling = await latencyRun(s, "pg-boss, polling", peer, commit);
  const notified = await latencyRun(s, "pg-boss, notifyWorker()", peer, async (key) => {
    const before = await commit(key);
    boss.notifyWorker(worker);
    return before;
  });
  await boss.offWork(queue);

  const drainQueue = "bench-drain";
  await boss.createQueue(drainQueue);
  for (let i = 0; i < s.drainN; i += 10_000) {
    progress(`[pg-boss drain] inserting jobs ${i}/${s.drainN}`);
    const n = Math.min(10_000, s.drainN - i);
    await boss.insert(
      drainQueue,
      Array.from({ length: n }, (_, k) => ({ data: { key: `bdrain-${i + k}` } })),
    );
  }
  await sql`analyze pgboss.job`.execute(db);
  const start = now();
  const { workers, ...work } = s.bossDrain;
  for (let w = 0; w < workers; w++) await boss.work(drainQueue, work, post);
  const drain = await drainWatch(s, "pg-boss drain", peer, start, async () => {
    return (await unfinishedJobs(boss, drainQueue)) === 0;
  });
  await boss.offWork(drainQueue);
  await boss.stop({ graceful: false });
  await http.close();
  await handle.close();
  return { latencyPolling: polling.seenLatency, latencyNotify: notified.seenLatency, drain };
}

export async function serverVersion(url: string): Promise<string> {
  const probe = createDatabase(url, 1);
  try {
    const { rows } = await sql<{ v: string }>`select current_setting('server_version') as v`.execute(probe.db);
    return rows[0]?.v ?? "?";
  } finally {
    await probe.close();
  }
}
