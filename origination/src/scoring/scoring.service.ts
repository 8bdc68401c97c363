import { applicationDecided } from "@loans/contracts";
import { applicationDecidedEvent } from "@loans/contracts/events/index";
import { emitEvent } from "@loans/shared/events/emit";
import { enqueue } from "@loans/shared/outbox";
import type { Kysely, Transaction } from "kysely";
import type { OriginationConfig } from "../config.ts";
import type { OriginationDB } from "../db.ts";
import { type Decision, type ScoringThresholds, score } from "./rules.ts";
import {
  claimWaiting,
  committedPaymentsOfClients,
  findManyInProgressForUpdate,
  lockClients,
  lockClientsOfApplications,
  recordDecisions,
  type ScorableRow,
} from "./scoring.repository.ts";

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

/** A decision made, with the request id its application came with (its log line runs under it). */
export interface Decided {
  agreementId: string;
  decision: Decision;
  requestId: string | undefined;
}

/**
 * Scores one application (scoreApplications with one) and records the decision with its
 * `application.decided` outbox row in one transaction. Does nothing (and answers null) when the
 * application is unknown or no longer IN_PROGRESS, so scoring it again is harmless.
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
 * applications unknown or no longer IN_PROGRESS are left out, as scoreApplication answers null for them,
 * and so is one the scoring worker holds at that moment (it decides it). Each decision's outbox message
 * carries the request id its application came with.
 */
export async function scoreApplications(
  deps: ScoringDeps,
  agreementIds: readonly string[],
): Promise<Map<string, Decision>> {
  const ids = [...new Set(agreementIds)];
  const decided = await deps.db.transaction().execute(async (trx) => {
    if (ids.length === 0) return [];
    await lockClientsOfApplications(trx, ids);
    return decide(deps, trx, await findManyInProgressForUpdate(trx, ids));
  });
  if (decided.length > 0) deps.afterCommit();
  return new Map(decided.map((d) => [d.agreementId, d.decision]));
}

/**
 * The scoring worker's batch: takes up to `limit` IN_PROGRESS applications that arrived at least
 * `delayMs` ago (claimWaiting: rows another instance holds are skipped) and scores them as
 * scoreApplications would, in one transaction. Answers how many it took and the decisions made.
 *
 * Locks are taken rows first, then clients, the other way round from scoreApplications: the clients are
 * only known from the rows. That cannot deadlock. Rows are taken with SKIP LOCKED, so taking them never
 * waits. A transaction holding client locks waits for nothing but further client locks (taken in key
 * order by everyone): here it only touches rows it locked itself, and scoreApplications skips rows others
 * hold (findManyInProgressForUpdate). A withdrawal may wait for a row this holds, but holds nothing
 * scoring waits for (its agreement lock is another key space). So a wait for a client lock always ends.
 */
export async function scoreWaiting(
  deps: ScoringDeps,
  opts: { delayMs: number; limit: number },
): Promise<{ taken: number; decided: Decided[] }> {
  const result = await deps.db.transaction().execute(async (trx) => {
    const apps = await claimWaiting(trx, opts.delayMs, opts.limit);
    if (apps.length === 0) return { taken: 0, decided: [] };
    await lockClients(
      trx,
      apps.map((a) => a.client_id),
    );
    // Claimed oldest first; decided in agreement order, as scoreApplications does.
    apps.sort((a, b) => (a.agreement_id < b.agreement_id ? -1 : a.agreement_id > b.agreement_id ? 1 : 0));
    return { taken: apps.length, decided: await decide(deps, trx, apps) };
  });
  if (result.decided.length > 0) deps.afterCommit();
  return result;
}

/**
 * Decides the applications, locked by the caller and in agreement order, under their clients' locks:
 * reads the clients' committed payments, scores one after the other (an approval counting for the
 * client's applications after it), records the decisions and their outbox messages.
 */
async function decide(deps: ScoringDeps, trx: Transaction<OriginationDB>, apps: ScorableRow[]): Promise<Decided[]> {
  if (apps.length === 0) return [];
  const clock = deps.clock ?? (() => new Date());
  const committed = new Map<string, Array<{ agreementId: string; payment: string }>>();
  for (const r of await committedPaymentsOfClients(trx, [...new Set(apps.map((a) => a.client_id))])) {
    const list = committed.get(r.client_id) ?? [];
    list.push({ agreementId: r.agreement_id, payment: r.monthly_payment });
    committed.set(r.client_id, list);
  }
  const made: Decided[] = [];
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
    made.push({ agreementId: app.agreement_id, decision, requestId: app.request_id ?? undefined });
    if (decision.result === "APPROVED") {
      committed.set(app.client_id, [...others, { agreementId: app.agreement_id, payment: app.monthly_payment }]);
    }
  }
  const decidedAt = clock();
  await recordDecisions(trx, made, decidedAt);
  await enqueue(
    trx,
    applicationDecided,
    made.map(({ agreementId, decision, requestId }) => ({
      aggregateId: agreementId,
      requestId,
      payload: { agreementId, result: decision.result, reasons: decision.reasons, decidedAt: decidedAt.toISOString() },
    })),
  );
  await emitEvent(
    trx,
    applicationDecidedEvent,
    made.map(({ agreementId, decision }) => ({
      subject: agreementId,
      data: { agreementId, result: decision.result, reasons: decision.reasons, decidedAt: decidedAt.toISOString() },
    })),
  );
  return made;
}
