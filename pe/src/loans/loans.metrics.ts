import type { Metrics } from "@loans/shared";
import { type Kysely, sql } from "kysely";
import { Gauge } from "prom-client";
import type { PeDB } from "../db.ts";
import type { BusinessClock } from "../lifecycle/business-date.ts";

/**
 * LIFECYCLE §4.5's servicing gauges, read at each scrape: `pe_agreements{status}`,
 * `pe_delinquent_agreements{bucket}` (ACTIVE loans by days past due, from the stored rows, i.e. as of
 * their last daily job or payment) and `pe_cob_last_business_date_seconds`, the business date the daily
 * job has reached for every ACTIVE loan (the laggard's), as a Unix time: an alert compares it with today.
 */
export function servicingMetrics(metrics: Metrics, db: Kysely<PeDB>, clock: BusinessClock): void {
  const registers = [metrics.registry];
  const fail = () => metrics.scrapeErrors.inc({ source: "servicing" });
  const gauge = (name: string, help: string, labelNames: string[], read: (g: Gauge) => Promise<void>) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers,
      async collect() {
        try {
          await read(this);
        } catch {
          fail();
        }
      },
    });
  gauge("pe_agreements", "Agreements by status", ["status"], async (g) => {
    const { rows } = await sql<{ status: string; n: number }>`
      select status, count(*)::int as n from agreements group by 1`.execute(db);
    g.reset();
    for (const r of rows) g.set({ status: r.status }, r.n);
  });
  gauge("pe_delinquent_agreements", "ACTIVE agreements by days-past-due bucket", ["bucket"], async (g) => {
    const today = await clock.today(db);
    const { rows } = await sql<{ bucket: string; n: number }>`
      with oldest as (
        select a.id, min(s.due_date) filter (
                 where s.due_date < ${today}::date and (s.paid_principal < s.principal or s.paid_interest < s.interest)
               ) as due
        from agreements a join schedule_payments s on s.agreement_id = a.id
        where a.status = 'ACTIVE' group by a.id
      )
      select case when due is null then 'CURRENT'
                  when ${today}::date - due <= 30 then 'DPD_1_30'
                  when ${today}::date - due <= 60 then 'DPD_31_60'
                  when ${today}::date - due <= 90 then 'DPD_61_90'
                  else 'DPD_90_PLUS' end as bucket, count(*)::int as n
      from oldest group by 1`.execute(db);
    g.reset();
    for (const b of ["CURRENT", "DPD_1_30", "DPD_31_60", "DPD_61_90", "DPD_90_PLUS"])
      g.set({ bucket: b }, rows.find((r) => r.bucket === b)?.n ?? 0);
  });
  gauge(
    "pe_cob_last_business_date_seconds",
    "The business date the daily job has reached for every ACTIVE agreement (the one furthest behind), as Unix time",
    [],
    async (g) => {
      const { rows } = await sql<{ d: string | null }>`
        select min(last_cob_date)::text as d from agreements where status = 'ACTIVE'`.execute(db);
      const d = rows[0]?.d ?? (await clock.today(db));
      g.set(Date.parse(`${d}T00:00:00Z`) / 1000);
    },
  );
}
