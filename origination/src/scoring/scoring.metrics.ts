import type { Metrics } from "@loans/shared";
import { type Kysely, sql } from "kysely";
import { Counter, Gauge } from "prom-client";
import type { OriginationDB } from "../db.ts";
import type { Decision } from "./rules.ts";

export type DecisionCounter = (decision: Decision) => void;

/**
 * `scoring_decisions_total{result, reason}`: one per decision the scoring worker made. `reason` is the
 * failed rules joined with "+" ("AGE+PAYMENT_TO_INCOME"), "none" when approved, so the series add up to
 * the number of decisions.
 */
export function countDecisions(metrics: Metrics): DecisionCounter {
  const counter = new Counter({
    name: "scoring_decisions_total",
    help: "Scoring decisions, by result and by the rules that failed",
    labelNames: ["result", "reason"],
    registers: [metrics.registry],
  });
  return (decision) => {
    const reason =
      decision.reasons
        .map((r) => r.code)
        .sort()
        .join("+") || "none";
    counter.inc({ result: decision.result, reason });
  };
}

/**
 * `scoring_waiting_applications`: IN_PROGRESS applications at each scrape, scoring's queue (the table is
 * the queue: scoring.worker.ts). Held back by SCORING_DELAY_MS ones included; near zero when scoring keeps
 * up. Counted through the applications_status index; a scrape that cannot read it keeps the last value.
 */
export function watchScoringQueue(metrics: Metrics, db: Kysely<OriginationDB>): void {
  new Gauge({
    name: "scoring_waiting_applications",
    help: "Applications waiting for a decision (IN_PROGRESS): scoring's queue",
    registers: [metrics.registry],
    async collect() {
      try {
        const { rows } = await sql<{ n: number }>`
          select count(*)::int as n from applications where status = 'IN_PROGRESS'`.execute(db);
        this.set(rows[0]?.n ?? 0);
      } catch {
        metrics.scrapeErrors.inc({ source: "applications" });
      }
    },
  });
}
