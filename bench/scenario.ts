/**
 * One scenario of the end-to-end benchmark: fresh databases, both services as processes (one or more
 * instances each) with the given outbox transport, a warm-up, then the measured phases.
 */
import { dropDatabase, ensureDatabase, withDatabase } from "@loans/db";
import { type System, startSystem } from "@loans/e2e/kit/system";
import { baselinePath } from "./baseline/build.ts";
import { type CpuSeconds, cpuMeter } from "./cpu.ts";
import { type DbActivity, dbMeter } from "./dbstats.ts";
import { line, offerLoad, type Percentiles, peCounter, percentiles, rssSampler, type Sent, settle } from "./load.ts";

export type Transport = "relay" | "pgboss";

export interface ScenarioPlan {
  transport: Transport;
  instances: number;
  peServer: string;
  originationServer: string;
  run: string;
  direct: boolean;
  warmSeconds: number;
  /** Open-loop latency phase at `latencyRate`/s; skipped when 0. */
  latencySeconds: number;
  latencyRate: number;
  /** Closed-loop maximum-rate phase. */
  maxSeconds: number;
  concurrency: number;
  /** The PostgreSQL server's postmaster, when it runs on this machine: its CPU is measured too. */
  postmaster?: number;
  /** Read pg_stat_statements over the max-rate phase (the server must preload it). */
  statements: boolean;
}

export interface MaxRate {
  seconds: number;
  concurrency: number;
  created: number;
  errors: number;
  firstError?: string;
  createdPerSec: number;
  decidedPerSec: number;
  /** Created but not yet decided, once a second during the phase. */
  backlog: number[];
  /** Least-squares slope of the backlog over the second half of the phase, agreements/s. */
  backlogSlopePerSec: number;
  backlogGrowing: boolean;
  /** createdPerSec if the backlog held steady, else decidedPerSec: what the system keeps up with. */
  sustainedPerSec: number;
  settleSeconds: number;
  response: Percentiles;
  /** CPU seconds each process used during the phase (settling not included). */
  cpuSeconds: CpuSeconds;
  /** Commits per database, WAL, and the top statements, during the phase and its settling. */
  db: DbActivity;
}

export interface ScenarioResult {
  transport: Transport;
  instances: number;
  latency?: {
    rate: number;
    seconds: number;
    errors: number;
    endToEnd: Percentiles;
    toOriginationDecision: Percentiles;
    response: Percentiles;
    samples: number[];
  };
  maxRate: MaxRate;
  peakRssMb: Record<string, number>;
  violations: string[];
}

const label = (p: ScenarioPlan, phase: string) => `${p.transport}×${p.instances} ${phase}`;

export async function runScenario(p: ScenarioPlan): Promise<ScenarioResult> {
  const names = {
    pe: `bench_${p.run}_${p.transport}${p.instances}_pe`,
    or: `bench_${p.run}_${p.transport}${p.instances}_or`,
    gw: `bench_${p.run}_${p.transport}${p.instances}_gw`,
  };
  await ensureDatabase(p.peServer, names.pe);
  await ensureDatabase(p.originationServer, names.or);
  // The Payment Gateway runs beside them (the system is every service), on Origination's server.
  await ensureDatabase(p.originationServer, names.gw);
  const peDatabaseUrl = withDatabase(p.peServer, names.pe);
  const originationDatabaseUrl = withDatabase(p.originationServer, names.or);
  line(
    `[${label(p, "start")}] starting ${p.instances} instance(s) of each service${p.direct ? "" : " behind proxies"}`,
  );
  const options = {
    databases: {
      pe: peDatabaseUrl,
      origination: originationDatabaseUrl,
      gateway: withDatabase(p.originationServer, names.gw),
    },
    direct: p.direct,
    env: { LOG_LEVEL: "warn" },
    // The baseline runs the services from the bench's own entries (bench/baseline/), with pg-boss in the relay's place.
    scripts:
      p.transport === "pgboss" ? { pe: baselinePath("pe"), origination: baselinePath("origination") } : undefined,
    // For profiling the services, e.g. BENCH_SERVICE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof".
    nodeArgs: process.env.BENCH_SERVICE_NODE_ARGS?.split(" ").filter(Boolean),
  };
  // Several instances starting at once on a fresh database can deadlock in Origination's start-up
  // (40P01, seen once in a bench run): one instance first sets the database up.
  if (p.instances > 1) await (await startSystem({ ...options, instances: 1 })).stop();
  const system = await startSystem({ ...options, instances: p.instances });
  const counter = peCounter(peDatabaseUrl);
  const rss = rssSampler(system);
  let total = 0;
  try {
    const phase: Phase = async (name, opts) => {
      const base = total;
      let lastDecided = await counter.decided();
      const r = await offerLoad({
        system,
        label: label(p, name),
        tag: `${p.transport[0]}${p.instances}${name[0]}`.toUpperCase(),
        seconds: opts.seconds,
        rate: opts.rate,
        concurrency: opts.concurrency,
        progress: async (_elapsed, sent, errors) => {
          const decided = await counter.decided();
          const perSec = decided - lastDecided;
          lastDecided = decided;
          opts.backlog?.push(Math.max(0, base + sent - decided));
          return `created ${sent} (${errors} errors), decided ${decided - base} (+${perSec}/s), backlog ${base + sent - decided}; RSS ${rss.now()}`;
        },
      });
      total += r.sent.length;
      return r;
    };

    const warm = await phase("warm-up", { seconds: p.warmSeconds, rate: 100 });
    if (warm.errors > 0) throw new Error(`warm-up failed: ${warm.firstError}`);
    await settle(counter, total, "warm-up");

    let latency: ScenarioResult["latency"];
    if (p.latencySeconds > 0) {
      const r = await phase("latency", { seconds: p.latencySeconds, rate: p.latencyRate });
      await settle(counter, total, "latency");
      const l = await counter.latencies(r.sent);
      latency = {
        rate: p.latencyRate,
        seconds: r.seconds,
        errors: r.errors + l.missing,
        endToEnd: percentiles(l.endToEnd),
        toOriginationDecision: percentiles(l.toOriginationDecision),
        response: percentiles(r.sent.map((s) => s.responseMs)),
        samples: l.endToEnd.map((v) => Math.round(v * 100) / 100),
      };
      line(
        `[${label(p, "latency")}] POST → decision in PE: p50 ${latency.endToEnd.p50.toFixed(1)} ms, p95 ${latency.endToEnd.p95.toFixed(1)} ms, p99 ${latency.endToEnd.p99.toFixed(1)} ms`,
      );
    }

    const maxRate = await measureMax(p, system, names, counter, () => total, phase);
    await rss.sample();
    const report = await system.check({ settled: true });
    return {
      transport: p.transport,
      instances: p.instances,
      latency,
      maxRate,
      peakRssMb: rss.stop(),
      violations: report.violations,
    };
  } finally {
    rss.stop();
    await counter.close();
    await system.stop();
    await dropDatabase(p.peServer, names.pe).catch(() => {});
    await dropDatabase(p.originationServer, names.or).catch(() => {});
    await dropDatabase(p.originationServer, names.gw).catch(() => {});
  }
}

type Phase = (
  name: string,
  o: { seconds: number; rate?: number; concurrency?: number; backlog?: number[] },
) => Promise<{ sent: Sent[]; errors: number; firstError?: string; seconds: number }>;

async function measureMax(
  p: ScenarioPlan,
  system: System,
  names: { pe: string; or: string },
  counter: ReturnType<typeof peCounter>,
  total: () => number,
  phase: Phase,
): Promise<MaxRate> {
  const decidedBefore = await counter.decided();
  const backlog: number[] = [];
  const sameServer = p.peServer === p.originationServer;
  const dbs = await dbMeter(p.peServer, sameServer ? [names.pe, names.or] : [names.pe], p.statements);
  const cpu = await cpuMeter(system, p.postmaster);
  const r = await phase("max rate", { seconds: p.maxSeconds, concurrency: p.concurrency, backlog });
  const cpuSeconds = await cpu.since();
  const decidedAtEnd = await counter.decided();
  const settleSeconds = await settle(counter, total(), "max rate");
  // Over the phase and its settling: every agreement created has then made its whole round trip.
  const db = await dbs.since();
  const createdPerSec = r.sent.length / r.seconds;
  const decidedPerSec = (decidedAtEnd - decidedBefore) / r.seconds;
  const half = backlog.slice(Math.floor(backlog.length / 2));
  const slope = slopeOf(half);
  const growing = slope > 0.02 * createdPerSec && (backlog.at(-1) ?? 0) > createdPerSec;
  const result: MaxRate = {
    seconds: r.seconds,
    concurrency: p.concurrency,
    created: r.sent.length,
    errors: r.errors,
    firstError: r.firstError,
    createdPerSec,
    decidedPerSec,
    backlog,
    backlogSlopePerSec: slope,
    backlogGrowing: growing,
    sustainedPerSec: r.errors > 0 ? 0 : growing ? decidedPerSec : createdPerSec,
    settleSeconds,
    response: percentiles(r.sent.map((s) => s.responseMs)),
    cpuSeconds,
    db,
  };
  const cores = Object.entries(cpuSeconds).map(([k, v]) => `${k} ${(v / r.seconds).toFixed(2)}`);
  const perAgreement = Object.entries(db.databases).map(
    ([k, v]) => `${k.endsWith("_pe") ? "pe" : "origination"} ${(v.commits / r.sent.length).toFixed(2)}`,
  );
  line(
    `[${label(p, "max rate")}] cores busy: ${cores.join(", ")}; commits per agreement: ${perAgreement.join(", ")}; WAL ${(db.walBytes / r.sent.length / 1024).toFixed(1)} kB per agreement`,
  );
  line(
    `[${label(p, "max rate")}] created ${createdPerSec.toFixed(0)}/s, decided ${decidedPerSec.toFixed(0)}/s, backlog slope ${slope.toFixed(1)}/s${growing ? " (growing)" : ""}, ${r.errors} errors; settled in ${settleSeconds.toFixed(1)} s`,
  );
  return result;
}

function slopeOf(ys: number[]): number {
  if (ys.length < 2) return 0;
  const n = ys.length;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (const [i, y] of ys.entries()) {
    num += (i - mx) * (y - my);
    den += (i - mx) ** 2;
  }
  return num / den;
}
