/**
 * The outbox relay beside pg-boss used as a plain queue, on one PostgreSQL and one receiving peer
 * (a separate process that only checks signatures and acknowledges):
 *   node --import tsx bench/outbox.ts
 * (1) latency from just before commit to the peer seeing the message, single messages spaced out;
 * (2) drain rate of a backlog to the live peer.
 * Uses BENCH_DATABASE_URL, or starts an embedded PostgreSQL (durable settings unless BENCH_FAST=1);
 * BENCH_LATENCY_N and BENCH_DRAIN_N size the runs; BENCH_BOSS_WORKERS and BENCH_BOSS_BATCH tune pg-boss. Prints a table and writes
 * bench/results/outbox-<timestamp>.json. The runs themselves are in shared/test-kit/outbox-bench.ts
 * (bench/run.ts reuses their drain).
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { ensureDatabase, migrate, withDatabase } from "@loans/db";
import { startEmbedded } from "@loans/db/embedded";
import { DEFAULT_RELAY_OPTIONS, formatTable } from "@loans/shared/outbox";
import { forkFastPeer } from "@loans/shared/test-kit/fast-peer";
import { type BenchSettings, bossBench, relayBench, serverVersion } from "@loans/shared/test-kit/outbox-bench";

const settings: BenchSettings = {
  secret: "bench-secret-0123456789abcdef",
  latencyN: Number(process.env.BENCH_LATENCY_N ?? 500),
  gapMs: 15,
  drainN: Number(process.env.BENCH_DRAIN_N ?? 100_000),
  relay: { batchSize: 500, concurrency: 3 },
  bossLatency: { batchSize: 100, pollingIntervalSeconds: 0.5 },
  bossDrain: {
    workers: Number(process.env.BENCH_BOSS_WORKERS ?? 16),
    batchSize: Number(process.env.BENCH_BOSS_BATCH ?? 1000),
    pollingIntervalSeconds: 0.5,
  },
};

type Results = {
  relay: Awaited<ReturnType<typeof relayBench>>;
  boss: Awaited<ReturnType<typeof bossBench>>;
  postgres: string;
  durable: boolean;
};

async function main() {
  let serverUrl = process.env.BENCH_DATABASE_URL;
  let stopServer = async () => {};
  const durable = process.env.BENCH_FAST !== "1";
  if (!serverUrl) {
    const dir = await mkdtemp(join(tmpdir(), "outbox-bench-"));
    // mkdtemp makes it private; PostgreSQL, running as its own user when we are root, must enter it.
    await chmod(dir, 0o755);
    process.stderr.write("starting an embedded PostgreSQL\n");
    const server = await startEmbedded({ dir, persistent: false, fast: !durable });
    serverUrl = server.url;
    stopServer = server.stop;
  }
  const run = randomBytes(3).toString("hex");
  const [relayDb, bossDb] = [`bench_${run}_relay`, `bench_${run}_boss`];
  await ensureDatabase(serverUrl, relayDb);
  await ensureDatabase(serverUrl, bossDb);
  const relayUrl = withDatabase(serverUrl, relayDb);
  await migrate(relayUrl, "pe");
  const peer = await forkFastPeer(settings.secret);
  try {
    const postgres = await serverVersion(relayUrl);
    const relay = await relayBench(relayUrl, peer, settings);
    const boss = await bossBench(withDatabase(serverUrl, bossDb), peer, settings);
    await report({ relay, boss, postgres, durable });
  } finally {
    await peer.close();
    await stopServer();
  }
}

async function report(r: Results) {
  const ms = (v: number) => v.toFixed(2);
  const times = (a: number, b: number) => `${(a / b).toFixed(1)}×`;
  const best = r.boss.latencyNotify;
  const rows: string[][] = [
    ["commit→peer p50, ms", ms(r.relay.latencyWake.p50), ms(best.p50), ms(r.boss.latencyPolling.p50)],
    ["commit→peer p99, ms", ms(r.relay.latencyWake.p99), ms(best.p99), ms(r.boss.latencyPolling.p99)],
    ["commit→peer p50, ms, NOTIFY only", ms(r.relay.latencyNotify.p50), "-", "-"],
    ["commit→peer p99, ms, NOTIFY only", ms(r.relay.latencyNotify.p99), "-", "-"],
    ["commit→delivered_at p50, ms", ms(r.relay.latencyAck.p50), "-", "-"],
    [
      `drain ${settings.drainN}, msg/s`,
      String(Math.round(r.relay.drain.msgPerSec)),
      String(Math.round(r.boss.drain.msgPerSec)),
      "-",
    ],
  ];
  const ratios = [
    times(best.p50, r.relay.latencyWake.p50),
    times(best.p99, r.relay.latencyWake.p99),
    "",
    "",
    "",
    times(r.relay.drain.msgPerSec, r.boss.drain.msgPerSec),
  ];
  const table = formatTable(
    [
      "measure",
      "outbox relay",
      "pg-boss + notifyWorker",
      "pg-boss polling",
      "pg-boss ÷ relay (latency), relay ÷ pg-boss (drain)",
    ],
    rows.map((row, i) => [...row, ratios[i]!]),
  );
  const cpu = cpus();
  const env = `${cpu.length} × ${cpu[0]?.model ?? "CPU"}, Node ${process.version}, PostgreSQL ${r.postgres}, ${
    r.durable ? "durable (fsync on)" : "fsync off"
  }`;
  process.stdout.write(`\n${env}\n${table}\n`);
  const at = new Date().toISOString();
  const out = {
    at,
    environment: {
      cpus: cpu.length,
      cpuModel: cpu[0]?.model,
      node: process.version,
      postgres: r.postgres,
      durable: r.durable,
    },
    settings: { ...settings, secret: undefined, relay: { ...DEFAULT_RELAY_OPTIONS, ...settings.relay } },
    results: { relay: r.relay, pgBoss: r.boss },
  };
  const dir = join(import.meta.dirname, "results");
  const file = join(dir, `outbox-${at.replace(/[:.]/g, "-")}.json`);
  await mkdir(dir, { recursive: true });
  await writeFile(file, `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(`results: ${file}\n`);
}

await main();
