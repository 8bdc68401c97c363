/**
 * The servicing phases' summary (bench/servicing.ts): one table per phase with each figure beside its
 * baseline's and divided by the pgbench yardstick, where the time went per operation, the top statements,
 * and the JSON in bench/results/servicing-<time>.json.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { formatTable } from "@loans/shared/outbox";
import type { Statement } from "./dbstats.ts";
import type { CobResult, Cost, PaymentsResult } from "./servicing.ts";
import { describeYardstick, type YardstickOutcome } from "./yardstick.ts";
import { formatRatio } from "./yardstick-figures.ts";

/** A database's role from the bench's name for it. */
const dbRole = (name: string) =>
  name.endsWith("_pe_boss")
    ? "PE (copy)"
    : name.endsWith("_pe")
      ? "PE"
      : name.endsWith("_or")
        ? "Origination"
        : name.endsWith("_gw")
          ? "PG"
          : name;

type Row = [string, number | undefined, number | undefined, "rate" | "latency" | "cpu" | "count"];

/** Per-operation rows of a cost: CPU ms per process, commits, statements and WAL per database. */
function costRows(what: string, a: Cost, b: Cost, names: Record<string, string> = {}): Row[] {
  const per = (c: Cost, v: number | undefined) => (v === undefined ? undefined : v / c.operations);
  const procs = [...new Set([...Object.keys(a.cpuSeconds), ...Object.keys(b.cpuSeconds)])];
  const total = (c: Cost) => Object.values(c.cpuSeconds).reduce((s, v) => s + v, 0);
  const rows: Row[] = procs.map((k) => [
    `CPU ms per ${what}: ${names[k] ?? k}`,
    per(a, a.cpuSeconds[k] === undefined ? undefined : a.cpuSeconds[k]! * 1000),
    per(b, b.cpuSeconds[k] === undefined ? undefined : b.cpuSeconds[k]! * 1000),
    "cpu",
  ]);
  rows.push([`CPU ms per ${what}: all processes`, per(a, total(a) * 1000), per(b, total(b) * 1000), "cpu"]);
  const roles = (c: Cost) => Object.fromEntries(Object.entries(c.db.databases).map(([k, v]) => [dbRole(k), v]));
  const ra = roles(a);
  const rb = roles(b);
  const asPe = (r: string) => (r === "PE (copy)" ? "PE" : r);
  for (const role of new Set([...Object.keys(ra), ...Object.keys(rb)].map(asPe))) {
    const ca = ra[role] ?? (role === "PE" ? ra["PE (copy)"] : undefined);
    const cb = rb[role] ?? (role === "PE" ? rb["PE (copy)"] : undefined);
    if (!ca?.commits && !cb?.commits) continue;
    rows.push([`commits per ${what}: ${role} database`, per(a, ca?.commits), per(b, cb?.commits), "count"]);
  }
  const sa = Object.fromEntries(Object.entries(a.db.statementCalls ?? {}).map(([k, v]) => [dbRole(k), v]));
  const sb = Object.fromEntries(Object.entries(b.db.statementCalls ?? {}).map(([k, v]) => [dbRole(k), v]));
  for (const role of new Set([...Object.keys(sa), ...Object.keys(sb)].map(asPe))) {
    const va = sa[role] ?? (role === "PE" ? sa["PE (copy)"] : undefined);
    const vb = sb[role] ?? (role === "PE" ? sb["PE (copy)"] : undefined);
    if (!va && !vb) continue;
    rows.push([`statements per ${what}: ${role} database`, per(a, va), per(b, vb), "count"]);
  }
  rows.push([`WAL per ${what}, kB`, per(a, a.db.walBytes / 1024), per(b, b.db.walBytes / 1024), "count"]);
  return rows;
}

const fmt = (v: number | undefined, kind: Row[3]) =>
  v === undefined || !Number.isFinite(v)
    ? "-"
    : kind === "rate"
      ? String(Math.round(v))
      : kind === "count"
        ? v.toFixed(2)
        : v.toFixed(kind === "cpu" && v < 1 ? 3 : 2);

/** Rates ÷ 8-client tps; latencies ÷ 1-client latency; CPU ms per operation ÷ pgbench's ms per transaction. */
function toYardstick(v: number | undefined, kind: Row[3], y: YardstickOutcome): number | undefined {
  if (!y.ok || v === undefined) return undefined;
  const { eightClients, oneClient } = y.yardstick;
  if (kind === "rate") return v / eightClients.tps;
  if (kind === "latency") return v / oneClient.latencyMs;
  if (kind === "cpu") return v / (1000 / eightClients.tps);
  return undefined;
}

function table(title: [string, string], rows: Row[], y: YardstickOutcome): string {
  return formatTable(
    ["measure", title[0], title[1], "÷ baseline", "÷ pgbench", "baseline ÷ pgbench"],
    rows.map(([label, a, b, kind]) => [
      label,
      fmt(a, kind),
      fmt(b, kind),
      a !== undefined && b !== undefined && b ? (a / b).toFixed(2) : "-",
      formatRatio(toYardstick(a, kind, y)),
      formatRatio(toYardstick(b, kind, y)),
    ]),
  );
}

function topStatements(label: string, c: Cost): string {
  let out = "";
  for (const [name, list] of Object.entries(c.db.statements ?? {}) as Array<[string, Statement[]]>) {
    if (list.length === 0) continue;
    out += `\ntop statements, ${label}, ${dbRole(name)} database (total ms, calls, mean ms, per operation):\n`;
    for (const s of list)
      out += `${String(s.totalMs).padStart(7)} ${String(s.calls).padStart(8)} ${s.meanMs.toFixed(3).padStart(8)} ${(s.calls / c.operations).toFixed(2).padStart(6)}  ${s.query}\n`;
  }
  return out;
}

export function paymentRows(r: PaymentsResult): Row[] {
  const g = r.gateway;
  const d = r.direct;
  return [
    [`payments applied/s (${r.concurrency} payers, closed loop)`, g.perSec, d.perSec, "rate"],
    ["sent → applied in PE p50, ms", g.latency.p50, d.latency.p50, "latency"],
    ["sent → applied in PE p99, ms", g.latency.p99, d.latency.p99, "latency"],
    ["answer to the sender p50, ms", g.response.p50, d.response.p50, "latency"],
    ...costRows("payment", g, d),
  ];
}

export function cobRows(r: CobResult): Row[] {
  return [
    ["agreement-days/s", r.batched.agreementDaysPerSec, r.pgBoss.agreementDaysPerSec, "rate"],
    [`seconds for ${r.loans} loans × ${r.days} days`, r.batched.seconds, r.pgBoss.seconds, "count"],
    ...costRows("agreement-day", r.batched, r.pgBoss, { "cob-baseline": "pe (idle) / baseline runner" }),
  ];
}

export async function reportServicing(r: {
  payments?: PaymentsResult;
  cob?: CobResult;
  yardstick: YardstickOutcome;
  plan: unknown;
  seconds: number;
}): Promise<string> {
  let text = "";
  if (r.yardstick.ok) text += `\n${describeYardstick(r.yardstick.yardstick)}\n`;
  else text += `\nno ratios to pgbench: ${r.yardstick.reason}\n`;
  if (r.payments) {
    const p = r.payments;
    text += `\nPayments applied end to end: ${p.n} loans paid once each per path, ${p.prepare.loans} loans prepared through the APIs in ${p.prepare.seconds.toFixed(0)} s\n`;
    text += `${table(["PG → bank → PE", "straight to PE (baseline)"], paymentRows(p), r.yardstick)}\n`;
    text += p.checks.map((c) => `check failed: ${c}\n`).join("");
    text += topStatements("payments through PG", p.gateway) + topStatements("payments straight to PE", p.direct);
  }
  if (r.cob) {
    const c = r.cob;
    text += `\nThe daily job: ${c.loans} ACTIVE loans (1 through the APIs, cloned in SQL in ${c.prepare.cloneSeconds.toFixed(1)} s), ${c.from} → ${c.to}\n`;
    text += `${table(["batched per day in PE", `pg-boss job per agreement-day (${c.pgBoss.workers} workers)`], cobRows(c), r.yardstick)}\n`;
    text += `overdue periods ${c.batched.overduePeriods} / ${c.pgBoss.overduePeriods}, penalty posted ${c.batched.penaltyTotal} / ${c.pgBoss.penaltyTotal}\n`;
    text += c.checks.map((x) => `check failed: ${x}\n`).join("");
    text += topStatements("daily job batched", c.batched) + topStatements("daily job pg-boss", c.pgBoss);
  }
  const at = new Date().toISOString();
  const dir = join(import.meta.dirname, "results");
  await mkdir(dir, { recursive: true });
  const file = join(dir, `servicing-${at.replace(/[:.]/g, "-")}.json`);
  const yardstick = r.yardstick.ok ? r.yardstick.yardstick : { skipped: r.yardstick.reason };
  await writeFile(
    file,
    `${JSON.stringify({ at, plan: r.plan, seconds: r.seconds, yardstick, payments: r.payments, cob: r.cob }, null, 2)}\n`,
  );
  text += `servicing results: ${file}\n`;
  process.stdout.write(text);
  return file;
}
