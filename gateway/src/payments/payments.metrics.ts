import type { Metrics } from "@loans/shared";
import { type Kysely, sql } from "kysely";
import { Gauge } from "prom-client";
import type { GatewayDB } from "../db.ts";

/**
 * `gateway_payments{status}`, and `gateway_payment_unknown_oldest_age_seconds` (the longest a payment has
 * waited on an unknown bank outcome), read at each scrape. Bank calls for payments are counted in
 * `gateway_bank_calls_total` with ops `payment_submit` and `payment_get` (service.ts).
 */
export function paymentMetrics(metrics: Metrics, db: Kysely<GatewayDB>): void {
  const registers = [metrics.registry];
  const fail = () => metrics.scrapeErrors.inc({ source: "payments" });
  new Gauge({
    name: "gateway_payments",
    help: "Payments by status",
    labelNames: ["status"],
    registers,
    async collect() {
      try {
        const { rows } = await sql<{ status: string; n: string }>`
          select status, count(*) as n from payments group by 1`.execute(db);
        this.reset();
        for (const r of rows) this.set({ status: r.status }, Number(r.n));
      } catch {
        fail();
      }
    },
  });
  new Gauge({
    name: "gateway_payment_unknown_oldest_age_seconds",
    help: "How long the payment waiting longest on an unknown bank outcome has waited",
    registers,
    async collect() {
      try {
        const { rows } = await sql<{ age: number | null }>`
          select extract(epoch from now() - min(unknown_since))::float8 as age
          from payments where status = 'PROCESSING'`.execute(db);
        this.set(rows[0]?.age ?? 0);
      } catch {
        fail();
      }
    },
  });
}
