import type { Metrics } from "@loans/shared";
import { Counter } from "prom-client";
import type { Decision } from "./rules.ts";

export type DecisionCounter = (decision: Decision) => void;

/**
 * `scoring_decisions_total{result, reason}`: one per decision, whichever path made it (the job or the
 * sweep). `reason` is the failed rules joined with "+" ("AGE+PAYMENT_TO_INCOME"), "none" when approved,
 * so the series add up to the number of decisions.
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
