import type { Kysely } from "kysely";
import type { PeDB } from "../db.ts";

/**
 * Every schedule version the loan has had, oldest first, each as its rows read when it took effect
 * (LIFECYCLE §2.5b: a partial early repayment rebuilds the tail; the older versions stay readable).
 * Empty until the loan is disbursed: the indicative schedule is no version.
 */
export async function listScheduleVersions(db: Kysely<PeDB>, agreementId: string) {
  const rows = await db
    .selectFrom("schedule_versions")
    .selectAll()
    .where("agreement_id", "=", agreementId)
    .orderBy("version")
    .orderBy("period")
    .execute();
  const versions: Array<{
    version: number;
    effectiveOn: string;
    reason: string | null;
    rows: Array<Record<string, unknown>>;
  }> = [];
  for (const r of rows) {
    if (versions.at(-1)?.version !== r.version)
      versions.push({ version: r.version, effectiveOn: r.effective_on, reason: r.reason, rows: [] });
    versions.at(-1)!.rows.push({
      period: r.period,
      periodEnd: r.period_end,
      dueDate: r.due_date,
      payment: r.payment,
      principal: r.principal,
      interest: r.interest,
      balance: r.balance,
    });
  }
  return versions;
}
