import type { ProxyCounters } from "@loans/shared/test-kit/fault-proxy";
import type { SyncReport } from "../kit/invariants.ts";
import type { FaultCounters } from "./faults.ts";
import type { LoadCounters } from "./load.ts";
import type { ChaosOptions } from "./options.ts";

export interface ChaosResult {
  opts: ChaosOptions;
  counters: LoadCounters;
  report: SyncReport;
  convergeSeconds: number;
  faults: FaultCounters;
  /** PE → Origination, then Origination → PE. */
  proxyCounters: ProxyCounters[];
  /** Agreements PE confirmed to the client that are not in its database. */
  missingConfirmed: number;
  /** Agreements in PE beyond those confirmed and those the client gave up on: created twice by retries. */
  extraAgreements: number;
  /** Confirmed withdrawals not WITHDRAWN on one side or the other (counted per side). */
  notWithdrawn: number;
}

const proxyLine = (c: ProxyCounters) => `${c.requests}, ${c.droppedRequests}, ${c.droppedAnswers}, ${c.upstreamErrors}`;

/** Prints the table and returns the exit code: 0 only when every invariant holds. */
export function printSummary(r: ChaosResult): number {
  const { report: s, counters: c, faults: f } = r;
  const [toO, toP] = r.proxyCounters as [ProxyCounters, ProxyCounters];
  const duplicates = s.duplicates + Math.max(0, r.extraAgreements - c.abandoned);
  const lost = s.lost + r.missingConfirmed;
  const dead = s.deadPe + s.deadOrigination;
  const convergedPct = s.agreements === 0 ? 100 : (100 * s.converged) / s.agreements;
  const rows: Array<[string, string]> = [
    ["agreements created (confirmed)", String(c.created)],
    ["client retries / replays", `${c.retries} / ${c.replays}`],
    ["abandoned by the client", String(c.abandoned)],
    ["withdrawn (confirmed) / refused as already REJECTED", `${c.withdrawn} / ${c.withdrawRefused}`],
    ["withdrawn but not WITHDRAWN on both sides", String(r.notWithdrawn)],
    ["decided", String(s.decided)],
    ["converged", `${s.converged} (${convergedPct.toFixed(2)} %)`],
    ["duplicates", String(duplicates)],
    ["lost", String(lost)],
    ["dead", String(dead)],
    ["seconds to converge after the faults stopped", r.convergeSeconds.toFixed(1)],
    ["SIGKILLs / crashes / PostgreSQL restarts", `${f.kills} / ${f.crashes} / ${f.dbRestarts}`],
    ["PE → Origination: requests, dropped requests, dropped answers, peer down", proxyLine(toO)],
    ["Origination → PE: requests, dropped requests, dropped answers, peer down", proxyLine(toP)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log("");
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
  const ok =
    s.violations.length === 0 &&
    duplicates === 0 &&
    lost === 0 &&
    dead === 0 &&
    c.abandoned === 0 &&
    r.notWithdrawn === 0;
  if (!ok) {
    console.log("\nVIOLATIONS:");
    for (const v of s.violations) console.log(`  ${v}`);
    if (r.notWithdrawn > 0) console.log(`  ${r.notWithdrawn} confirmed withdrawals not WITHDRAWN on both sides`);
    if (c.abandoned > 0) console.log(`  ${c.abandoned} agreements abandoned by the client after every retry failed`);
  }
  console.log(ok ? "\nchaos: all invariants hold" : "\nchaos: FAILED");
  return ok ? 0 : 1;
}
