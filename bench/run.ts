/**
 * `pnpm bench`: the whole system end to end, beside a pg-boss baseline, in one run.
 *
 * For each transport (the outbox relay; pg-boss jobs sent in the writer's transaction and delivered by
 * pg-boss workers: bench/boss-transport.ts, run from bench/baseline/): PE and Origination as real processes on fresh databases,
 * (1) latency of POST /agreements → decision applied in PE at a steady 50/s, (2) the highest sustained
 * rate, closed loop, (4) the same with two instances of each service; their peak RSS throughout. Then
 * (3) the drain of a 100 000-message backlog to a live peer (bench/outbox.ts's runs, reused).
 *
 * Every run starts with PostgreSQL's own yardstick on the same server (bench/yardstick.ts: pgbench's TPC-B)
 * and prints each figure also as a ratio to it, since the absolute figures on a shared machine move by 2×
 * from day to day.
 *
 * Flags: `pnpm bench --help` (bench/options.ts).
 */

import { randomBytes } from "node:crypto";
import { chmod, mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureDatabase, migrate, withDatabase } from "@loans/db";
import { buildServices } from "@loans/db/build";
import { startEmbedded } from "@loans/db/embedded";
import { parseOrExit } from "@loans/shared/args";
import { formatTable } from "@loans/shared/outbox";
import { forkFastPeer } from "@loans/shared/test-kit/fast-peer";
import { type BenchSettings, bossBench, relayBench } from "@loans/shared/test-kit/outbox-bench";
import { buildBaselines } from "./baseline/build.ts";
import { cdfSvg } from "./chart.ts";
import { postmasterOf } from "./cpu.ts";
import { line } from "./load.ts";
import { machine, revision } from "./machine.ts";
import { parseBenchArgs } from "./options.ts";
import { runScenario, type ScenarioResult, type Transport } from "./scenario.ts";
import { cobPhase, paymentsPhase } from "./servicing.ts";
import { reportServicing } from "./servicing-report.ts";
import { describeYardstick, runYardstick, type YardstickOutcome } from "./yardstick.ts";
import { type Ratios, type RunFigures, ratioRows, ratios } from "./yardstick-figures.ts";

const {
  quick,
  relayOnly,
  plan,
  yardstick: yardstickPlan,
  yardstickOnly,
  servicingOnly,
  servicing,
} = parseOrExit(() => parseBenchArgs(process.argv.slice(2)));

async function main() {
  const started = Date.now();
  if (!yardstickOnly) {
    await buildServices();
    await buildBaselines();
  }
  let peServer = process.env.BENCH_PE_DATABASE_URL;
  let originationServer = process.env.BENCH_ORIGINATION_DATABASE_URL ?? peServer;
  let stopServer = async () => {};
  if (!peServer || !originationServer) {
    const dir = await mkdtemp(join(tmpdir(), "e2e-bench-"));
    // mkdtemp makes it private; PostgreSQL, running as its own user when we are root, must enter it.
    await chmod(dir, 0o755);
    line("starting an embedded PostgreSQL (durable: fsync on)");
    const flags = plan.statements ? ["-c", "shared_preload_libraries=pg_stat_statements"] : [];
    const server = await startEmbedded({ dir, persistent: false, flags });
    peServer = originationServer = server.url;
    stopServer = server.stop;
  }
  const run = randomBytes(3).toString("hex");
  const results: Record<Transport, ScenarioResult[]> = { relay: [], pgboss: [] };
  // Only when the server is on this machine (the parent of our own backend is then readable).
  const postmaster = sameServer(peServer, originationServer) ? await postmasterOf(peServer) : undefined;
  try {
    const yardstick: YardstickOutcome = yardstickPlan
      ? await runYardstick(peServer, { seconds: yardstickPlan.seconds, run })
      : { ok: false, reason: "--no-yardstick: no ratios" };
    if (!yardstick.ok) line(yardstick.reason);
    if (yardstickOnly) {
      if (yardstick.ok) process.stdout.write(`${describeYardstick(yardstick.yardstick)}\n`);
      else process.exitCode = 1;
      return;
    }
    const servicingPhases = async () => {
      if (!servicing) return;
      const p = { ...plan, ...servicing, peServer, originationServer, run, postmaster };
      const payments = await paymentsPhase(p);
      const cob = await cobPhase(p);
      await reportServicing({
        payments,
        cob,
        yardstick,
        plan: { ...plan, ...servicing },
        seconds: (Date.now() - started) / 1000,
      });
    };
    if (servicingOnly) {
      await servicingPhases();
      return;
    }
    if (relayOnly) {
      const r = await runScenario({
        ...plan,
        transport: "relay",
        instances: 1,
        peServer,
        originationServer,
        run,
        postmaster,
      });
      await reportOne(r, yardstick, (Date.now() - started) / 1000);
      return;
    }
    for (const transport of ["relay", "pgboss"] as const) {
      for (const instances of [1, 2]) {
        results[transport].push(
          await runScenario({
            ...plan,
            transport,
            instances,
            peServer,
            originationServer,
            run,
            postmaster,
            latencySeconds: instances === 1 ? plan.latencySeconds : 0,
          }),
        );
      }
    }
    const drain = await drainBench(peServer, run);
    const env = await machine(peServer);
    await report({ results, drain, env, yardstick, seconds: (Date.now() - started) / 1000 });
    await servicingPhases();
  } finally {
    await stopServer();
  }
}

const sameServer = (a: string, b: string) => new URL(a).host === new URL(b).host;

/** A scenario's figures that have a ratio to the yardstick. */
const figuresOf = (s: ScenarioResult, drainMsgPerSec?: number): RunFigures => ({
  sustainedPerSec: s.maxRate.sustainedPerSec,
  e2eP50Ms: s.latency?.endToEnd.p50,
  e2eP99Ms: s.latency?.endToEnd.p99,
  drainMsgPerSec,
});

const TITLES: Record<Transport, string> = { relay: "outbox relay", pgboss: "pg-boss baseline" };

/** The yardstick and ratio blocks of the result JSON, and the lines the summary prints for them. */
function yardstickReport(y: YardstickOutcome, columns: Partial<Record<Transport, RunFigures>>) {
  if (!y.ok) return { json: { yardstick: { skipped: y.reason }, ratios: null }, text: `no ratios: ${y.reason}\n` };
  const keys = Object.keys(columns) as Transport[];
  const byTransport: Partial<Record<Transport, Ratios>> = {};
  for (const k of keys) byTransport[k] = ratios(columns[k]!, y.yardstick);
  const table = formatTable(
    ["measure ÷ pgbench on the same server", ...keys.map((k) => TITLES[k])],
    ratioRows(keys.map((k) => byTransport[k]!)).filter((row) => row.slice(1).some((v) => v !== "-")),
  );
  return {
    json: { yardstick: y.yardstick, ratios: byTransport },
    text: `\n${describeYardstick(y.yardstick)}\n${table}\n`,
  };
}

/** --relay-only: the one scenario's figures, where the CPU went, and the JSON beside the others. */
async function reportOne(r: ScenarioResult, yardstick: YardstickOutcome, seconds: number) {
  const m = r.maxRate;
  const perSec = (v: number) => (v / m.seconds).toFixed(2);
  const rows = [
    ["max sustained, agreements/s", String(Math.round(m.sustainedPerSec))],
    ["created/s, decided/s", `${Math.round(m.createdPerSec)}, ${Math.round(m.decidedPerSec)}`],
    ["POST /agreements p50 / p99 at max, ms", `${m.response.p50.toFixed(1)} / ${m.response.p99.toFixed(1)}`],
    ...Object.entries(m.cpuSeconds).map(([k, v]) => [`cores busy: ${k}`, perSec(v)]),
    ...Object.entries(m.cpuSeconds).map(([k, v]) => [
      `CPU ms per agreement: ${k}`,
      ((v * 1000) / m.created).toFixed(2),
    ]),
    ...Object.entries(m.db.databases).map(([k, v]) => [
      `commits per agreement: ${k}`,
      (v.commits / m.created).toFixed(2),
    ]),
    ...Object.entries(m.db.statementCalls ?? {}).map(([k, v]) => [
      `statements per agreement: ${k}`,
      (v / m.created).toFixed(1),
    ]),
    ["WAL per agreement, kB", (m.db.walBytes / m.created / 1024).toFixed(1)],
    ...Object.entries(r.peakRssMb).map(([k, v]) => [`peak RSS ${k}, MB`, String(v)]),
  ];
  const table = formatTable(["measure", "outbox relay, 1 instance each"], rows);
  const notes = [...r.violations, ...(m.errors > 0 ? [`${m.errors} errors, first: ${m.firstError}`] : [])];
  process.stdout.write(`\n${table}\n${notes.map((x) => `note: ${x}`).join("\n")}\n`);
  const y = yardstickReport(yardstick, { relay: figuresOf(r) });
  process.stdout.write(y.text);
  for (const [name, list] of Object.entries(m.db.statements ?? {})) {
    process.stdout.write(`\ntop statements in ${name} (total ms, calls, mean ms):\n`);
    for (const s of list)
      process.stdout.write(
        `${String(s.totalMs).padStart(7)} ${String(s.calls).padStart(8)} ${s.meanMs.toFixed(3).padStart(8)}  ${s.query}\n`,
      );
  }
  const at = new Date().toISOString();
  const dir = join(import.meta.dirname, "results");
  await mkdir(dir, { recursive: true });
  const file = join(dir, `relay-${at.replace(/[:.]/g, "-")}.json`);
  await writeFile(
    file,
    `${JSON.stringify({ at, revision: revision(), plan, seconds, ...y.json, result: r }, null, 2)}\n`,
  );
  process.stdout.write(`ran in ${Math.round(seconds)} s; results: ${file}\n`);
}

async function drainBench(serverUrl: string, run: string) {
  const settings: BenchSettings = {
    secret: "bench-secret-0123456789abcdef",
    latencyN: 20,
    gapMs: 15,
    drainN: plan.drainN,
    relay: { batchSize: 500, concurrency: 3 },
    bossLatency: { batchSize: 100, pollingIntervalSeconds: 0.5 },
    bossDrain: { workers: 16, batchSize: 1000, pollingIntervalSeconds: 0.5 },
  };
  const [relayDb, bossDb] = [`bench_${run}_drain_relay`, `bench_${run}_drain_boss`];
  await ensureDatabase(serverUrl, relayDb);
  await ensureDatabase(serverUrl, bossDb);
  await migrate(withDatabase(serverUrl, relayDb), "pe");
  const peer = await forkFastPeer(settings.secret);
  try {
    const relay = await relayBench(withDatabase(serverUrl, relayDb), peer, settings);
    const boss = await bossBench(withDatabase(serverUrl, bossDb), peer, settings);
    return { n: plan.drainN, relay: relay.drain, pgBoss: boss.drain };
  } finally {
    await peer.close();
  }
}

type Drain = Awaited<ReturnType<typeof drainBench>>;
type Machine = Awaited<ReturnType<typeof machine>>;

async function report(r: {
  results: Record<Transport, ScenarioResult[]>;
  drain: Drain;
  env: Machine;
  yardstick: YardstickOutcome;
  seconds: number;
}) {
  const [relay1, relay2] = r.results.relay as [ScenarioResult, ScenarioResult];
  const [boss1, boss2] = r.results.pgboss as [ScenarioResult, ScenarioResult];
  const ms = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? "-" : v.toFixed(1));
  const n = (v: number) => String(Math.round(v));
  const ratio = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined || !b ? "-" : `${(a / b).toFixed(2)}`;
  const rss = (s: ScenarioResult, svc: string) =>
    Math.max(
      ...Object.entries(s.peakRssMb)
        .filter(([k]) => k.startsWith(svc))
        .map(([, v]) => v),
      0,
    );
  const rows: Array<[string, number | undefined, number | undefined]> = [
    ["e2e latency p50 @50/s, ms", relay1.latency?.endToEnd.p50, boss1.latency?.endToEnd.p50],
    ["e2e latency p95 @50/s, ms", relay1.latency?.endToEnd.p95, boss1.latency?.endToEnd.p95],
    ["e2e latency p99 @50/s, ms", relay1.latency?.endToEnd.p99, boss1.latency?.endToEnd.p99],
    ["POST /agreements p50 @50/s, ms", relay1.latency?.response.p50, boss1.latency?.response.p50],
    ["max sustained, 1 instance each, agreements/s", relay1.maxRate.sustainedPerSec, boss1.maxRate.sustainedPerSec],
    ["  created/s, decided/s (1 instance)", relay1.maxRate.createdPerSec, boss1.maxRate.createdPerSec],
    ["  decided/s (1 instance)", relay1.maxRate.decidedPerSec, boss1.maxRate.decidedPerSec],
    ["max sustained, 2 instances each, agreements/s", relay2.maxRate.sustainedPerSec, boss2.maxRate.sustainedPerSec],
    [
      "  scale-out factor (2 ÷ 1 instances)",
      relay2.maxRate.sustainedPerSec / relay1.maxRate.sustainedPerSec,
      boss2.maxRate.sustainedPerSec / boss1.maxRate.sustainedPerSec,
    ],
    [`drain ${r.drain.n} pending to a live peer, msg/s`, r.drain.relay.msgPerSec, r.drain.pgBoss.msgPerSec],
    ["peak RSS PE, MB (1 instance, max rate)", rss(relay1, "pe"), rss(boss1, "pe")],
    ["peak RSS Origination, MB (1 instance, max rate)", rss(relay1, "origination"), rss(boss1, "origination")],
    ["peak RSS PE, MB (2 instances, per process)", rss(relay2, "pe"), rss(boss2, "pe")],
    ["peak RSS Origination, MB (2 instances, per process)", rss(relay2, "origination"), rss(boss2, "origination")],
  ];
  const fmt = (label: string, v: number | undefined) =>
    v === undefined ? "-" : label.endsWith(", ms") ? ms(v) : label.includes("factor") ? v.toFixed(2) : n(v);
  rows[5]![0] = "  created/s at max (1 instance)";
  const table = formatTable(
    ["measure", "outbox relay", "pg-boss baseline", "relay ÷ pg-boss"],
    rows.map(([label, a, b]) => [label, fmt(label, a), fmt(label, b), ratio(a, b)]),
  );
  const notes = [...r.results.relay, ...r.results.pgboss].flatMap((s) => [
    ...s.violations.map((v) => `${s.transport}×${s.instances}: ${v}`),
    ...(s.maxRate.errors > 0
      ? [`${s.transport}×${s.instances}: ${s.maxRate.errors} errors, first: ${s.maxRate.firstError}`]
      : []),
    ...(s.maxRate.backlogGrowing
      ? [
          `${s.transport}×${s.instances}: backlog grew ${s.maxRate.backlogSlopePerSec.toFixed(1)}/s at max rate: sustained = decided/s`,
        ]
      : []),
  ]);
  const env = `${r.env.cpuModel}, ${r.env.cores} cores, ${r.env.memoryGb} GB RAM, Node ${r.env.node}, PostgreSQL ${r.env.postgres} (fsync on)`;
  process.stdout.write(`\n${env}\n${table}\n${notes.map((x) => `note: ${x}`).join("\n")}\n`);
  const y = yardstickReport(r.yardstick, {
    relay: figuresOf(relay1, r.drain.relay.msgPerSec),
    pgboss: figuresOf(boss1, r.drain.pgBoss.msgPerSec),
  });
  process.stdout.write(y.text);
  process.stdout.write(
    `ran in ${Math.round(r.seconds)} s; closed loop at concurrency ${plan.concurrency}, ${plan.direct ? "services connected directly" : "through the proxies"}\n`,
  );

  const at = new Date().toISOString();
  const stamp = at.replace(/[:.]/g, "-");
  const dir = join(import.meta.dirname, "results");
  await mkdir(dir, { recursive: true });
  const file = join(dir, `e2e-${stamp}.json`);
  const chart = join(dir, `e2e-${stamp}-latency.svg`);
  await writeFile(
    file,
    `${JSON.stringify({ at, revision: revision(), environment: r.env, plan, quick, seconds: r.seconds, ...y.json, results: r.results, drain: r.drain, table: rows }, null, 2)}\n`,
  );
  await writeFile(
    chart,
    cdfSvg(`End-to-end latency at ${plan.latencyRate} agreements/s, 1 instance each (${r.env.cores} cores)`, [
      { name: "outbox relay", color: "#1f77b4", values: relay1.latency?.samples ?? [] },
      { name: "pg-boss baseline", color: "#ff7f0e", values: boss1.latency?.samples ?? [] },
    ]),
  );
  process.stdout.write(`results: ${file}\nchart: ${chart}\n`);
}

await main();
