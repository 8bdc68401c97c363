import { type Kysely, type Selectable, sql, type Transaction } from "kysely";
import type { ApplicationsTable, OriginationDB } from "../db.ts";
import type { Decision } from "./rules.ts";

/**
 * The first key of the two-key advisory lock that serialises scoring per client; the second is the
 * client id's hash. Two-key locks live apart from one-key ones, so no other user of advisory locks
 * collides with these.
 */
export const CLIENT_SCORING_LOCK = 0x5c0e;

export type ScorableRow = Pick<
  Selectable<ApplicationsTable>,
  | "agreement_id"
  | "client_id"
  | "birth_date"
  | "monthly_income"
  | "monthly_payment"
  | "last_due_date"
  | "application_date"
>;

/**
 * Applications still waiting for a decision well after they arrived: their scoring job was lost with a
 * killed process, or ran out of retries. The sweep scores them directly.
 */
export async function staleInProgress(
  db: Kysely<OriginationDB>,
  olderThanMs: number,
  limit: number,
): Promise<string[]> {
  const rows = await db
    .selectFrom("applications")
    .select("agreement_id")
    .where("status", "=", "IN_PROGRESS")
    .where("updated_at", "<", sql<Date>`now() - ${olderThanMs} * interval '1 millisecond'`)
    .orderBy("updated_at")
    .limit(limit)
    .execute();
  return rows.map((r) => r.agreement_id);
}

/**
 * The scoring locks of every client of these applications, held until the transaction ends, taken one
 * after the other in the order of their keys: two batches lock in the same order and so never deadlock.
 * A hash collision between two clients only makes them wait for each other, which is harmless. Only the
 * client ids are read before the locks are granted, and they never change; what scoring reads after
 * comes from later statements, which see what committed before them.
 */
export async function lockClientsOfApplications(
  trx: Transaction<OriginationDB>,
  agreementIds: readonly string[],
): Promise<void> {
  await sql`
    select pg_advisory_xact_lock(${CLIENT_SCORING_LOCK}::int, k.key)
    from (select distinct hashtext(a.client_id::text) as key
          from applications a where a.agreement_id = any(${agreementIds as string[]}::uuid[])
          order by 1) k`.execute(trx);
}

/** Those of the applications that still wait for a decision, locked in agreement order. */
export async function findManyInProgressForUpdate(
  trx: Transaction<OriginationDB>,
  agreementIds: readonly string[],
): Promise<ScorableRow[]> {
  return (
    trx
      .selectFrom("applications")
      // The application date is PE's business date at creation (or the arrival's UTC date), stored, so a
      // retried job decides alike.
      .select([
        "agreement_id",
        "client_id",
        "birth_date",
        "monthly_income",
        "monthly_payment",
        "last_due_date",
        "application_date",
      ])
      .where("agreement_id", "in", agreementIds)
      .where("status", "=", "IN_PROGRESS")
      .orderBy("agreement_id")
      .forUpdate()
      .execute()
  );
}

/**
 * Monthly payments these clients already owe or are about to (approved or active: not withdrawn, failed
 * or closed), each with its client and agreement.
 */
export async function committedPaymentsOfClients(trx: Transaction<OriginationDB>, clientIds: readonly string[]) {
  return (
    trx
      .selectFrom("applications")
      .select(["client_id", "agreement_id", "monthly_payment"])
      .where("client_id", "in", clientIds)
      // A running loan weighs on the client's income; a closed or failed one no longer does.
      .where("status", "in", ["APPROVED", "PAYMENT_PENDING", "ACTIVE"])
      .execute()
  );
}

/** The decisions, in one statement; all decided at the same instant. Only IN_PROGRESS ones change. */
export async function recordDecisions(
  trx: Transaction<OriginationDB>,
  decisions: ReadonlyArray<{ agreementId: string; decision: Decision }>,
  decidedAt: Date,
): Promise<void> {
  await sql`
    update applications a
    set status = d.result, decision_result = d.result, decision_reasons = d.reasons,
        decided_at = ${decidedAt}, updated_at = ${decidedAt}
    from unnest(
      ${decisions.map((d) => d.agreementId)}::uuid[],
      ${decisions.map((d) => d.decision.result)}::text[],
      ${decisions.map((d) => JSON.stringify(d.decision.reasons))}::jsonb[]
    ) as d(agreement_id, result, reasons)
    where a.agreement_id = d.agreement_id and a.status = 'IN_PROGRESS'`.execute(trx);
}
