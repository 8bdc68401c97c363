/**
 * `pnpm bench:compare <results.json ...>`: runs of `pnpm bench --relay-only` (or the relay column of a full
 * `pnpm bench`) side by side, one line per run in the order given, then the median of each revision's runs
 * and its ratio to the first revision's. Run the revisions interleaved (A B A B …) in one sitting: the
 * machine drifts over minutes, and interleaving spreads that drift over both.
 */

import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { formatTable } from "@loans/shared/outbox";
import type { ScenarioResult } from "./scenario.ts";

interface Run {
  file: string;
  revision: string;
  result: ScenarioResult;
  tps?: number;
  latencyMs?: number;
}

function load(file: string): Run {
  const j = JSON.parse(readFileSync(file, "utf8"));
  const result: ScenarioResult | undefined =
    j.result ?? j.results?.relay?.find((r: ScenarioResult) => r.instances === 1);
  if (!result) throw new Error(`${file}: no relay run with one instance of each service`);
  return {
    file,
    revision: j.revision ?? "unknown",
    result,
    tps: j.yardstick?.eightClients?.tps,
    latencyMs: j.yardstick?.oneClient?.latencyMs,
  };
}

/** The figures compared, each from one run. */
const MEASURES: Array<[string, (r: Run) => number | undefined]> = [
  ["agreements/s", (r) => r.result.maxRate.sustainedPerSec],
  ["÷ pgbench tps", (r) => (r.tps ? r.result.maxRate.sustainedPerSec / r.tps : undefined)],
  ["e2e p50 ms", (r) => r.result.latency?.endToEnd.p50],
  ["p50 ÷ pgbench", (r) => (r.latencyMs && r.result.latency ? r.result.latency.endToEnd.p50 / r.latencyMs : undefined)],
  ["e2e p99 ms", (r) => r.result.latency?.endToEnd.p99],
  ["p99 ÷ pgbench", (r) => (r.latencyMs && r.result.latency ? r.result.latency.endToEnd.p99 / r.latencyMs : undefined)],
  ...(["pe", "origination", "postgres", "bench"] as const).map((p): [string, (r: Run) => number | undefined] => [
    `CPU ms ${p}`,
    (r) => {
      const s = r.result.maxRate.cpuSeconds[p];
      return s === undefined ? undefined : (s * 1000) / r.result.maxRate.created;
    },
  ]),
  ["CPU ms all", (r) => (sum(Object.values(r.result.maxRate.cpuSeconds)) * 1000) / r.result.maxRate.created],
  ...(["pe", "or"] as const).map((db): [string, (r: Run) => number | undefined] => [
    `commits ${db}`,
    (r) => byDatabase(r.result.maxRate.db.databases, db, (v) => v.commits / r.result.maxRate.created),
  ]),
  ...(["pe", "or"] as const).map((db): [string, (r: Run) => number | undefined] => [
    `statements ${db}`,
    (r) => byDatabase(r.result.maxRate.db.statementCalls ?? {}, db, (v) => v / r.result.maxRate.created),
  ]),
  ["RSS pe MB", (r) => r.result.peakRssMb.pe],
  ["RSS or MB", (r) => r.result.peakRssMb.origination],
];

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** The value of the database whose name ends with `_<suffix>` (the bench names them `bench_<run>_<scenario>_pe`). */
function byDatabase<V>(dbs: Record<string, V>, suffix: string, f: (v: V) => number): number | undefined {
  const entry = Object.entries(dbs).find(([name]) => name.endsWith(`_${suffix}`));
  return entry && f(entry[1]);
}

function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1]! + s[mid]!) / 2;
}

const show = (v: number | undefined) =>
  v === undefined ? "-" : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3);

function main() {
  const files = process.argv.slice(2).filter((a) => a !== "--");
  if (files.length === 0) {
    process.stderr.write("usage: pnpm bench:compare <bench/results/relay-….json> ...\n");
    process.exit(2);
  }
  const runs = files.map(load);
  const header = ["measure", ...runs.map((r) => `${r.revision} ${basename(r.file).slice(6, 25)}`)];
  const perRun = MEASURES.map(([name, f]) => [name, ...runs.map((r) => show(f(r)))]);
  process.stdout.write(`${formatTable(header, perRun)}\n\n`);
  const revisions = [...new Set(runs.map((r) => r.revision))];
  const medians = revisions.map((rev) => {
    const mine = runs.filter((r) => r.revision === rev);
    return MEASURES.map(([, f]) => median(mine.map(f).filter((v): v is number => v !== undefined)));
  });
  const rows = MEASURES.map(([name], i) => [
    name,
    ...revisions.flatMap((_, k) => {
      const v = medians[k]![i];
      const base = medians[0]![i];
      return k === 0 ? [show(v)] : [show(v), v !== undefined && base ? `${(v / base).toFixed(2)}×` : "-"];
    }),
  ]);
  const counts = revisions.map((rev) => runs.filter((r) => r.revision === rev).length);
  const cols = revisions.flatMap((rev, k) =>
    k === 0 ? [`${rev} (median of ${counts[k]})`] : [`${rev} (median of ${counts[k]})`, `÷ ${revisions[0]}`],
  );
  process.stdout.write(`${formatTable(["measure", ...cols], rows)}\n`);
}

main();
