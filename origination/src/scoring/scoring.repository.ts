import { type Kysely, type Selectable, sql, type Transaction } from "kysely";
import type { ApplicationsTable, OriginationDB } from "../db.ts";
import type { Decision } from "./rules.ts";

/**
 * The first key of the two-key advisory lock that serialises scoring per client; the second is the
 * client id's hash. Two-key locks live apart from one-key ones, so no other user of advisory locks
 * collides with these.
 */
export const CLIENT_SCORING_LOCK = 0x5c0e;

/**
 * The application's client, with the client's scoring lock taken, in one statement: held until the
 * transaction ends. A hash collision between two clients only makes them wait for each other, which is
 * harmless. Only the client id is read before the lock is granted, and it never changes; what scoring
 * reads after the lock comes from later statements, which see what committed before them.
 */
export async function lockClientOfApplication(
  trx: Transaction<OriginationDB>,
  agreementId: string,
): Promise<string | undefined> {
  const { rows } = await sql<{ client_id: string }>`
    select a.client_id, pg_advisory_xact_lock(${CLIENT_SCORING_LOCK}::int, hashtext(a.client_id::text))
    from applications a where a.agreement_id = ${agreementId}`.execute(trx);
  return rows[0]?.client_id;
}

export type ScorableRow = Pick<
  Selectable<ApplicationsTable>,
  "agreement_id" | "client_id" | "birth_date" | "monthly_income" | "monthly_payment" | "last_due_date"
> & { application_date: string };

/** The application, locked, if it still waits for a decision. */
export async function findInProgressForUpdate(
  trx: Transaction<OriginationDB>,
  agreementId: string,
): Promise<ScorableRow | undefined> {
  return (
    trx
      .selectFrom("applications")
      .select(["agreement_id", "client_id", "birth_date", "monthly_income", "monthly_payment", "last_due_date"])
      // The application date is the UTC calendar date it arrived, fixed, so a retried job decides alike.
      .select(sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD')`.as("application_date"))
      .where("agreement_id", "=", agreementId)
      .where("status", "=", "IN_PROGRESS")
      .forUpdate()
      .executeTakeFirst()
  );
}

/** Monthly payments the client already owes or is about to: approved, and not withdrawn. */
export async function committedPaymentsOfClient(
  trx: Transaction<OriginationDB>,
  clientId: string,
  exceptAgreementId: string,
): Promise<string[]> {
  const rows = await trx
    .selectFrom("applications")
    .select("monthly_payment")
    .where("client_id", "=", clientId)
    .where("status", "in", ["APPROVED", "PAYMENT_PENDING"])
    .where("agreement_id", "<>", exceptAgreementId)
    .execute();
  return rows.map((r) => r.monthly_payment);
}

export async function recordDecision(
  trx: Transaction<OriginationDB>,
  agreementId: string,
  decision: Decision,
  decidedAt: Date,
): Promise<void> {
  await trx
    .updateTable("applications")
    .set({
      status: decision.result,
      decision_result: decision.result,
      decision_reasons: JSON.stringify(decision.reasons),
      decided_at: decidedAt,
      updated_at: decidedAt,
    })
    .where("agreement_id", "=", agreementId)
    .where("status", "=", "IN_PROGRESS")
    .execute();
}

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
 * The scoring locks of every client of these applications, taken one after the other in the order of
 * their keys: two batches lock in the same order and so never deadlock; a single scoring takes one lock
 * only. As in lockClientOfApplication, only the client ids (which never change) are read before.
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
  return trx
    .selectFrom("applications")
    .select(["agreement_id", "client_id", "birth_date", "monthly_income", "monthly_payment", "last_due_date"])
    .select(sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD')`.as("application_date"))
    .where("agreement_id", "in", agreementIds)
    .where("status", "=", "IN_PROGRESS")
    .orderBy("agreement_id")
    .forUpdate()
    .execute();
}

/** committedPaymentsOfClient for many clients at once, each payment with its client and agreement. */
export async function committedPaymentsOfClients(trx: Transaction<OriginationDB>, clientIds: readonly string[]) {
  return trx
    .selectFrom("applications")
    .select(["client_id", "agreement_id", "monthly_payment"])
    .where("client_id", "in", clientIds)
    .where("status", "in", ["APPROVED", "PAYMENT_PENDING"])
    .execute();
}

/** recordDecision for many applications in one statement; all decided at the same instant. */
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
