import { type Selectable, sql, type Transaction } from "kysely";
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
  | "request_id"
>;

// What scoring reads of an application; the application date is PE's business date at creation (or the
// arrival's UTC date), stored, so scoring it again decides alike.
const SCORABLE = [
  "agreement_id",
  "client_id",
  "birth_date",
  "monthly_income",
  "monthly_payment",
  "last_due_date",
  "application_date",
  "request_id",
] as const;

/**
 * Scoring's queue is the table itself: up to `limit` IN_PROGRESS applications that arrived at least
 * `delayMs` ago, oldest first, locked for the transaction. Rows another transaction holds (another
 * instance scoring them, a withdrawal changing them) are skipped, not waited for, so instances on one
 * database take different applications and never queue behind each other here; what one skips is there
 * for the next fetch. Nothing is marked taken: a process killed mid-batch leaves its rows IN_PROGRESS and
 * unlocked, and the next fetch of any instance takes them. Read through the applications_status index.
 */
export async function claimWaiting(
  trx: Transaction<OriginationDB>,
  delayMs: number,
  limit: number,
): Promise<ScorableRow[]> {
  return trx
    .selectFrom("applications")
    .select(SCORABLE)
    .where("status", "=", "IN_PROGRESS")
    .where("created_at", "<=", sql<Date>`statement_timestamp() - ${delayMs} * interval '1 millisecond'`)
    .orderBy("created_at")
    .orderBy("agreement_id")
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
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

/** lockClientsOfApplications with the client ids at hand: the same locks, in the same order. */
export async function lockClients(trx: Transaction<OriginationDB>, clientIds: readonly string[]): Promise<void> {
  await sql`
    select pg_advisory_xact_lock(${CLIENT_SCORING_LOCK}::int, k.key)
    from (select distinct hashtext(c.id::text) as key
          from unnest(${clientIds as string[]}::uuid[]) as c(id)
          order by 1) k`.execute(trx);
}

/**
 * Those of the applications that still wait for a decision, locked. A row another transaction holds is
 * skipped rather than waited for: it is being scored by the worker (which locks rows before clients, see
 * scoring.worker.ts), or withdrawn; waiting for it while holding client locks could deadlock.
 */
export async function findManyInProgressForUpdate(
  trx: Transaction<OriginationDB>,
  agreementIds: readonly string[],
): Promise<ScorableRow[]> {
  return trx
    .selectFrom("applications")
    .select(SCORABLE)
    .where(sql<boolean>`agreement_id = any(${agreementIds as string[]}::uuid[])`)
    .where("status", "=", "IN_PROGRESS")
    .orderBy("agreement_id")
    .forUpdate()
    .skipLocked()
    .execute();
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
      .where(sql<boolean>`client_id = any(${clientIds as string[]}::uuid[])`)
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
    -- The ids twice: the rows are found by key whatever the statistics (shared record.ts says why).
    where a.agreement_id = d.agreement_id and a.status = 'IN_PROGRESS'
      and a.agreement_id = any(${decisions.map((d) => d.agreementId)}::uuid[])`.execute(trx);
}
