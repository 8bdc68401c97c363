import { sql, type Transaction } from "kysely";
import type { OriginationDB } from "../db.ts";

/**
 * The first key of the two-key advisory lock that serialises intake and withdrawal of one agreement;
 * the second is the agreement id's hash. Without it, an intake and a withdrawal of one agreement
 * committing at once would each miss the other's uncommitted row, and the application would stay
 * IN_PROGRESS with its withdrawal remembered beside it. (PE's relay sends an aggregate's messages one at
 * a time, so this is a guarantee of the receiver's own, not a hot path.)
 */
export const AGREEMENT_INTAKE_LOCK = 0x3d1d;

/** Held until the batch's transaction ends. A hash collision only makes two agreements wait for each other. */
export async function lockAgreement(trx: Transaction<OriginationDB>, agreementId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(${AGREEMENT_INTAKE_LOCK}::int, hashtext(${agreementId}::text))`.execute(trx);
}

/**
 * lockAgreement for many agreements in one statement, the same keys, taken one after the other in the
 * order given: a batch's aggregate-id order, the order its items take them one at a time (the withdrawal
 * endpoint's too), so two batches sharing agreements queue behind each other instead of deadlocking. The
 * subquery's ORDER BY keeps it from being merged into the outer select, which then locks in its order.
 */
export async function lockAgreements(trx: Transaction<OriginationDB>, agreementIds: readonly string[]): Promise<void> {
  if (agreementIds.length === 0) return;
  await sql`
    select pg_advisory_xact_lock(${AGREEMENT_INTAKE_LOCK}::int, k.key)
    from (select hashtext(u.id) as key
          from unnest(${agreementIds as string[]}::text[]) with ordinality as u(id, n)
          order by u.n) k`.execute(trx);
}

/** Remembers PE's withdrawal; the first one stays on record, a repeat changes nothing. */
export async function rememberWithdrawal(
  trx: Transaction<OriginationDB>,
  agreementId: string,
  withdrawnAt: Date,
): Promise<void> {
  await trx
    .insertInto("withdrawals")
    .values({ agreement_id: agreementId, withdrawn_at: withdrawnAt })
    .onConflict((oc) => oc.column("agreement_id").doNothing())
    .execute();
}

/**
 * Any status → WITHDRAWN: it is final and outranks every decision (the decision stays on the row, as what
 * Origination had decided). True when it moved; false for a repeat, or when there is no application yet.
 */
export async function withdrawApplication(trx: Transaction<OriginationDB>, agreementId: string): Promise<boolean> {
  const r = await trx
    .updateTable("applications")
    .set({ status: "WITHDRAWN", updated_at: sql`now()` })
    .where("agreement_id", "=", agreementId)
    .where("status", "<>", "WITHDRAWN")
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}
