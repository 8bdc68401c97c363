import type { Metrics } from "@loans/shared";
import { type Kysely, sql } from "kysely";
import { Counter, Gauge } from "prom-client";
import type { BankCall } from "../bank/simulated.ts";
import type { GatewayDB } from "../db.ts";

/**
 * `gateway_payouts{kind,status}`, `gateway_payouts_in_transit_oldest_age_seconds` (the oldest payout not
 * final yet), `gateway_payout_unknown_oldest_age_seconds` (the longest a payout has waited on an unknown
 * bank outcome), read at each scrape; and `gateway_bank_calls_total{op,outcome}` as calls happen.
 */
export function payoutMetrics(
  metrics: Metrics,
  db: Kysely<GatewayDB>,
): (c: { op: BankCall["op"] | `payment_${BankCall["op"]}`; outcome: BankCall["outcome"] }) => void {
  const registers = [metrics.registry];
  const fail = () => metrics.scrapeErrors.inc({ source: "payouts" });
  new Gauge({
    name: "gateway_payouts",
    help: "Payouts by kind and status",
    labelNames: ["kind", "status"],
    registers,
    async collect() {
      try {
        const { rows } = await sql<{ kind: string; status: string; n: string }>`
          select kind, status, count(*) as n from payouts group by 1, 2`.execute(db);
        this.reset();
        for (const r of rows) this.set({ kind: r.kind, status: r.status }, Number(r.n));
      } catch {
        fail();
      }
    },
  });
  const age = (name: string, help: string, column: "created_at" | "unknown_since") =>
    new Gauge({
      name,
      help,
      registers,
      async collect() {
        try {
          const { rows } = await sql<{ age: number | null }>`
            select extract(epoch from now() - min(${sql.ref(column)}))::float8 as age
            from payouts where status in ('PENDING', 'IN_TRANSIT')`.execute(db);
          this.set(rows[0]?.age ?? 0);
        } catch {
          fail();
        }
      },
    });
  age(
    "gateway_payouts_in_transit_oldest_age_seconds",
    "Age of the oldest payout not final yet (PENDING or IN_TRANSIT)",
    "created_at",
  );
  age(
    "gateway_payout_unknown_oldest_age_seconds",
    "How long the payout waiting longest on an unknown bank outcome has waited",
    "unknown_since",
  );
  const calls = new Counter({
    name: "gateway_bank_calls_total",
    help:
      "Calls to the bank by operation (submit, get for payouts; payment_submit, payment_get for payments) " +
      "and outcome: ok, unknown (timed out: may or may not have happened)",
    labelNames: ["op", "outcome"],
    registers,
  });
  return (c) => calls.inc({ op: c.op, outcome: c.outcome });
}
