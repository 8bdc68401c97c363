import { enqueue } from "@loans/shared/outbox/enqueue";
import type { Kysely } from "kysely";
import type { ApplicationDecided } from "../applications/applications.schemas.ts";
import type { OriginationConfig } from "../config.ts";
import type { OriginationDB } from "../db.ts";
import { type Decision, type ScoringThresholds, score } from "./rules.ts";
import {
  committedPaymentsOfClient,
  findInProgressForUpdate,
  lockClientOfApplication,
  recordDecision,
} from "./scoring.repository.ts";

export const DECIDED_TOPIC = "application.decided";

export interface ScoringDeps {
  db: Kysely<OriginationDB>;
  thresholds: ScoringThresholds;
  /** Called after a decision (and its outbox row) has committed: wakes the outbox relay. */
  afterCommit: () => void;
  clock?: () => Date;
}

export const thresholdsFrom = (config: OriginationConfig): ScoringThresholds => ({
  minAge: config.SCORING_MIN_AGE,
  maxAgeAtEnd: config.SCORING_MAX_AGE_AT_END,
  maxPtiPercent: config.SCORING_MAX_PTI_PERCENT,
});

/**
 * Scores one application and records the decision with its `application.decided` outbox row in one
 * transaction. Does nothing (and answers null) when the application is unknown or no longer IN_PROGRESS,
 * so a repeated job is harmless.
 *
 * Scoring is serialised per client: two applications of one client, each affordable alone, must not both
 * be approved because each was scored before the other was recorded. The lock is taken before the
 * other approvals are read, and each statement reads what committed before it started, so the second
 * scoring sees the first one's decision.
 */
export async function scoreApplication(deps: ScoringDeps, agreementId: string): Promise<Decision | null> {
  const clock = deps.clock ?? (() => new Date());
  const decision = await deps.db.transaction().execute(async (trx) => {
    const clientId = await lockClientOfApplication(trx, agreementId);
    if (!clientId) return null;
    const app = await findInProgressForUpdate(trx, agreementId);
    if (!app) return null;
    const decision = score(
      {
        birthDate: app.birth_date,
        applicationDate: app.application_date,
        lastDueDate: app.last_due_date,
        monthlyIncome: app.monthly_income,
        monthlyPayment: app.monthly_payment,
        otherMonthlyPayments: await committedPaymentsOfClient(trx, clientId, agreementId),
      },
      deps.thresholds,
    );
    const decidedAt = clock();
    await recordDecision(trx, agreementId, decision, decidedAt);
    const payload: ApplicationDecided = {
      agreementId,
      result: decision.result,
      reasons: decision.reasons,
      decidedAt: decidedAt.toISOString(),
    };
    await enqueue(trx, { topic: DECIDED_TOPIC, aggregateId: agreementId, payload });
    return decision;
  });
  if (decision) deps.afterCommit();
  return decision;
}
