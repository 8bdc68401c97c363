import { Dec } from "@loans/shared/money";
import type { ProxyCounters } from "@loans/shared/test-kit/fault-proxy";
import type { SyncReport } from "../kit/invariants.ts";
import type { MoneyReport } from "../kit/money.ts";
import { percentiles } from "../kit/percentiles.ts";
import type { TransferReport } from "./bank.ts";
import type { ClockCounters } from "./clock.ts";
import type { FaultCounters } from "./faults.ts";
import type { LifeCounters } from "./life.ts";
import type { ChaosOptions } from "./options.ts";
import type { PlanKind } from "./plans.ts";

export interface ChaosResult {
  opts: ChaosOptions;
  lives: LifeCounters;
  planned: ReadonlyMap<PlanKind, number>;
  clock: ClockCounters;
  sync: SyncReport;
  money: MoneyReport;
  transfers: TransferReport;
  sample: { checked: number; violations: string[] };
  /** Loans in PE by status, at the end. */
  statuses: Record<string, number>;
  convergeSeconds: number;
  converged: boolean;
  faults: FaultCounters;
  /** Each hop's proxy, by name ("pe->origination", …). */
  hops: Array<[string, ProxyCounters]>;
  /** Lives that did not end as planned: why. */
  notes: string[];
  /** Anything else that went wrong in the run itself (the clock lane refused, say). */
  errors: string[];
}

/** p50 / p99 / max of `xs`, each through `f`; zeros when there are none. */
const spread = (xs: readonly number[], f: (x: number) => string) => {
  const p = percentiles(xs);
  return [p.p50, p.p99, p.max].map((v) => f(p.n === 0 ? 0 : v)).join(" / ");
};

/** The longest lives: the ones to read when a run comes close to its clock's last day. */
function longest(l: LifeCounters): string {
  const top = [...l.spans].sort((a, b) => b.days - a.days).slice(0, 3);
  return top.map((s) => `#${s.n} ${s.kind} ${s.days} d, ${s.payments} payments`).join("; ");
}

const proxyLine = (c: ProxyCounters) => `${c.requests}, ${c.droppedRequests}, ${c.droppedAnswers}, ${c.upstreamErrors}`;
const kopecks = (k: bigint) => `${k / 100n}.${String(k % 100n).padStart(2, "0")}`;

/** Every breach the run found, each a line; empty when every invariant holds. */
export function violations(r: ChaosResult): string[] {
  const out = [
    ...r.sync.violations,
    ...r.money.violations,
    ...r.transfers.violations,
    ...r.sample.violations,
    ...r.errors,
  ];
  if (!r.converged) out.push(`not converged within ${r.opts.convergeSeconds} s`);
  if (kopecks(r.lives.paidKopecks) !== r.money.totals.in)
    out.push(`the clients saw ${kopecks(r.lives.paidKopecks)} collected; PE took in ${r.money.totals.in}`);
  if (r.lives.outcomes.UNFINISHED > 0) out.push(`${r.lives.outcomes.UNFINISHED} lives unfinished`, ...r.notes);
  if (r.lives.abandoned > 0) out.push(`${r.lives.abandoned} requests abandoned by the client after retrying`);
  if (r.sync.duplicates > 0 || r.sync.lost > 0) out.push(`${r.sync.duplicates} duplicates, ${r.sync.lost} lost`);
  return [...new Set(out)];
}

/** Prints the table and returns the exit code: 0 only when every invariant holds. */
export function printSummary(r: ChaosResult): number {
  const { lives: l, money: m, transfers: t, faults: f } = r;
  const found = violations(r);
  const planned = [...r.planned].map(([k, n]) => `${k} ${n}`).join(", ");
  const o = l.outcomes;
  const unaccounted = new Dec(m.totals.in).minus(m.totals.allocated).minus(m.totals.unapplied).minus(m.totals.refunded);
  const rows: Array<[string, string]> = [
    ["loans (plans)", `${r.opts.loans} (${planned})`],
    ["applications confirmed / rejected / withdrawn", `${l.created} / ${o.REJECTED} / ${o.WITHDRAWN}`],
    ["loans disbursed / disbursement failed", `${l.disbursed} / ${o.DISBURSEMENT_FAILED}`],
    [
      "payments made / failed at the bank / refused as not payable",
      `${l.paymentsMade} / ${l.paymentsFailed} / ${l.notPayable}`,
    ],
    [
      "money in = allocated + unapplied + refunded",
      `${m.totals.in} = ${m.totals.allocated} + ${m.totals.unapplied} + ${m.totals.refunded} (unaccounted ${unaccounted.toFixed(2)})`,
    ],
    ["money the clients paid / PG collected", `${kopecks(l.paidKopecks)} / ${m.totals.collected}`],
    ["refunds", String(m.refunds)],
    [
      "payment from PG's 202 to PE's ledger, seconds p50 / p99 / max",
      spread(l.deliveryMs, (ms) => (ms / 1000).toFixed(1)),
    ],
    ["business days from the bill read to the value date p50 / p99 / max", spread(l.lagDays, String)],
    [
      "business days from disbursement to the end of a life p50 / p99 / max",
      spread(
        l.spans.map((s) => s.days),
        String,
      ),
    ],
    ["longest lives", longest(l)],
    [
      "transfers per payout (payouts, with one transfer, most submits)",
      `${t.payouts === t.payoutsWithOne ? 1 : "NOT 1"} (${t.payouts}, ${t.payoutsWithOne}, ${t.maxPayoutSubmits})`,
    ],
    [
      "transfers per payment (payments, with one transfer, most submits)",
      `${t.payments === t.paymentsWithOne ? 1 : "NOT 1"} (${t.payments}, ${t.paymentsWithOne}, ${t.maxPaymentSubmits})`,
    ],
    [
      "loans closed / left open as planned / unfinished",
      `${r.statuses.CLOSED ?? 0} / ${o.LEFT_OPEN} / ${o.UNFINISHED}`,
    ],
    [
      "loans in PE by status",
      Object.entries(r.statuses)
        .map(([k, n]) => `${k} ${n}`)
        .join(", "),
    ],
    ["loans recomputed by the pure core / differences", `${r.sample.checked} / ${r.sample.violations.length}`],
    ["business days moved (answers lost)", `${r.clock.days} (${r.clock.lostAnswers})`],
    ["client retries / replays / abandoned", `${l.retries} / ${l.replays} / ${l.abandoned}`],
    ["SIGKILLs / crashes / PostgreSQL restarts", `${f.kills} / ${f.crashes} / ${f.dbRestarts}`],
    [
      "SIGKILLs by service",
      Object.entries(f.killed)
        .map(([k, n]) => `${k} ${n}`)
        .join(", "),
    ],
    ...r.hops.map(
      ([hop, c]) =>
        [`${hop}: requests, dropped requests, dropped answers, peer down`, proxyLine(c)] as [string, string],
    ),
    ["seconds to converge after the faults stopped", r.convergeSeconds.toFixed(1)],
    ["invariant violations", String(found.length)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log("");
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
  if (found.length > 0) {
    console.log("\nVIOLATIONS:");
    for (const v of found.slice(0, 100)) console.log(`  ${v}`);
  }
  console.log(found.length === 0 ? "\nchaos: all invariants hold" : "\nchaos: FAILED");
  return found.length === 0 ? 0 : 1;
}
