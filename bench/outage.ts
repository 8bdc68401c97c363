/**
 * Recovery after a peer outage: `node --import tsx bench/outage.ts [seconds ...]` (default 10 30 120).
 * For each outage length: the relay with its production settings (backoff from 1 s to 5 minutes), a few
 * hundred messages written while the peer answers 503 through a proxy, then the peer back; measures from
 * the peer's return to its first message and to an empty backlog. BENCH_OUTAGE_ROWS sets the rows (300);
 * BENCH_DATABASE_URL the server (default postgres://postgres@127.0.0.1:5432/postgres). Prints a line per
 * outage and writes bench/results/outage-<timestamp>.json. It uses only createRelay and enqueue, so the
 * same file measures an older checkout of the relay too.
 */
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { dropDatabase, ensureDatabase, migrate, withDatabase } from "@loans/db";
import { createDatabase, createLogger, startBoss } from "@loans/shared";
import { createRelay, type OutboxDB } from "@loans/shared/outbox";
import { enqueueMessages } from "@loans/shared/outbox/enqueue";
import { forkFastPeer } from "@loans/shared/test-kit/fast-peer";
import { startFaultProxy } from "@loans/shared/test-kit/fault-proxy";
import { sql } from "kysely";

const SECRET = "bench-secret-0123456789abcdef";
const TOPIC = "bench.event";
const server = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const rows = Number(process.env.BENCH_OUTAGE_ROWS ?? 300);
const outages = process.argv.slice(2).map(Number);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run(outageSeconds: number) {
  const name = `bench_outage_${randomBytes(3).toString("hex")}`;
  await ensureDatabase(server, name);
  const url = withDatabase(server, name);
  await migrate(url, "pe");
  const handle = createDatabase<OutboxDB>(url, 10);
  const log = createLogger("bench", "silent");
  const boss = await startBoss(url, log, 2);
  const peer = await forkFastPeer(SECRET);
  const proxy = await startFaultProxy({ target: peer.url, policy: { kind: "status", status: 503 } });
  const relay = createRelay<OutboxDB>({
    name: "bench",
    db: handle.db,
    connectionString: url,
    boss,
    routes: { [TOPIC]: { destination: "peer", url: `${proxy.url}/internal/events` } },
    secret: SECRET,
    log,
  });
  await relay.start();
  try {
    const down = Date.now();
    await handle.db.transaction().execute((trx) =>
      enqueueMessages(
        trx,
        Array.from({ length: rows }, (_, i) => ({
          topic: TOPIC,
          aggregateId: `outage-${i}`,
          payload: { key: `k${i}` },
        })),
      ),
    );
    relay.wake();
    await sleep(outageSeconds * 1000 - (Date.now() - down));
    const requestsWhileDown = proxy.counters().requests;
    proxy.set({ kind: "pass" });
    const back = Date.now();
    let first: number | undefined;
    for (;;) {
      const { rows: r } = await sql<{ n: number }>`
        select count(*)::int as n from outbox where delivered_at is null and dead_at is null`.execute(handle.db);
      const n = r[0]!.n;
      if (first === undefined && n < rows) first = Date.now() - back;
      if (n === 0) break;
      if (Date.now() - back > 15 * 60_000) throw new Error("the backlog did not drain in 15 minutes");
      await sleep(20);
    }
    const empty = Date.now() - back;
    const result = { outageSeconds, rows, requestsWhileDown, firstDeliveryMs: first ?? empty, emptyBacklogMs: empty };
    process.stdout.write(
      `outage ${outageSeconds} s, ${rows} rows: ${requestsWhileDown} requests while down; after the peer's return ` +
        `first delivery ${result.firstDeliveryMs} ms, backlog empty ${empty} ms\n`,
    );
    return result;
  } finally {
    await relay.stop();
    await boss.stop({ graceful: false, timeout: 2_000 });
    await handle.close();
    await proxy.close();
    await peer.close();
    await dropDatabase(server, name);
  }
}

const results = [];
for (const s of outages.length > 0 ? outages : [10, 30, 120]) results.push(await run(s));
const at = new Date().toISOString();
const dir = join(import.meta.dirname, "results");
await mkdir(dir, { recursive: true });
const file = join(dir, `outage-${at.replace(/[:.]/g, "-")}.json`);
await writeFile(file, `${JSON.stringify({ at, label: process.env.BENCH_LABEL ?? "", results }, null, 2)}\n`);
process.stdout.write(`results: ${file}\n`);
