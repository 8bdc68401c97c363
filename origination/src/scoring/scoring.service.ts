import { enqueue } from "@loans/shared/outbox";
import type { Kysely } from "kysely";
import type { ApplicationDecided } from "../applications/applications.schemas.ts";
import type { OriginationConfig } from "../config.ts";
import type { OriginationDB } from "../db.ts";
import { type Decision, type ScoringThresholds, score } from "./rules.ts";
import {
  committedPaymentsOfClients,
  findManyInProgressForUpdate,
  lockClientsOfApplications,
  recordDecisions,
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
 * Scores one application (scoreApplications with one) and records the decision with its
 * `application.decided` outbox row in one transaction. Does nothing (and answers null) when the
 * application is unknown or no longer IN_PROGRESS, so a repeated job is harmless.
 *
 * Scoring is serialised per client: two applications of one client, each affordable alone, must not both
 * be approved because each was scored before the other was recorded. The lock is taken before the
 * other approvals are read, and each statement reads what committed before it started, so the second
 * scoring sees the first one's decision.
 */
export async function scoreApplication(deps: ScoringDeps, agreementId: string): Promise<Decision | null> {
  return (await scoreApplications(deps, [agreementId])).get(agreementId) ?? null;
}

/**
 * scoreApplication for many applications in one transaction, with the same outcome as scoring them one
 * after the other in agreement order: every client's scoring lock is taken first, and an approval in the
 * batch counts among the other payments of the same client's applications scored after it. A handful of
 * statements and one commit per batch, however many it holds. Answers the decisions made;
 * applications unknown or no longer IN_PROGRESS are left out, as scoreApplication answers null for them.
 * Each decision's outbox message carries the request id its application came with, from `requestIds`.
 */
export async function scoreApplications(
  deps: ScoringDeps,
  agreementIds: readonly string[],
  requestIds: ReadonlyMap<string, string> = new Map(),
): Promise<Map<string, Decision>> {
  const clock = deps.clock ?? (() => new Date());
  const ids = [...new Set(agreementIds)];
  const decisions = await deps.db.transaction().execute(async (trx) => {
    const made = new Map<string, Decision>();
    if (ids.length === 0) return made;
    await lockClientsOfApplications(trx, ids);
    const apps = await findManyInProgressForUpdate(trx, ids);
    if (apps.length === 0) return made;
    const committed = new Map<string, Array<{ agreementId: string; payment: string }>>();
    for (const r of await committedPaymentsOfClients(trx, [...new Set(apps.map((a) => a.client_id))])) {
      const list = committed.get(r.client_id) ?? [];
      list.push({ agreementId: r.agreement_id, payment: r.monthly_payment });
      committed.set(r.client_id, list);
    }
    for (const app of apps) {
      const others = committed.get(app.client_id) ?? [];
      const decision = score(
        {
          birthDate: app.birth_date,
          applicationDate: app.application_date,
          lastDueDate: app.last_due_date,
          monthlyIncome: app.monthly_income,
          monthlyPayment: app.monthly_payment,
          otherMonthlyPayments: others.filter((o) => o.agreementId !== app.agreement_id).map((o) => o.payment),
        },
        deps.thresholds,
      );
      made.set(app.agreement_id, decision);
      if (decision.result === "APPROVED") {
        committed.set(app.client_id, [...others, { agreementId: app.agreement_id, payment: app.monthly_payment }]);
      }
    }
    const decidedAt = clock();
    const list = [...made].map(([agreementId, decision]) => ({ agreementId, decision }));
    await recordDecisions(trx, list, decidedAt);
    await enqueue(
      trx,
      list.map(({ agreementId, decision }) => ({
        topic: DECIDED_TOPIC,
        aggregateId: agreementId,
        requestId: requestIds.get(agreementId),
        payload: {
          agreementId,
          result: decision.result,
          reasons: decision.reasons,
          decidedAt: decidedAt.toISOString(),
        } satisfies ApplicationDecided,
      })),
    );
    return made;
  });
  if (decisions.size > 0) deps.afterCommit();
  return decisions;
}
