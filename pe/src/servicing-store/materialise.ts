import { agreementScheduleChangedEvent } from "@loans/contracts/events/index";
import { sql, type Transaction } from "kysely";
import type { PeDB } from "../db.ts";
import { emitPeEvent } from "../lifecycle/events.ts";
import type { LoanState } from "../servicing/index.ts";

/**
 * Writes the core's state as the stored rows (LIFECYCLE §7: they are its materialisation): the current
 * schedule version with each period's paid amounts and status, every version not stored yet, and the
 * allocations, penalty accruals and unapplied funds, replaced whole. The agreement row's own figures
 * are the caller's. Answers how many periods became OVERDUE here, for the daily job's report.
 */
export async function materialise(
  trx: Transaction<PeDB>,
  agreementId: string,
  state: LoanState,
  storedVersion: number | null,
): Promise<number> {
  const marked = await writePeriods(trx, agreementId, state);
  await insertNewVersions(trx, agreementId, state, storedVersion);
  await replaceDerivedRows(trx, agreementId, state);
  return marked;
}

/** The current version's periods, each row rewritten only if it changed; answers how many became OVERDUE. */
async function writePeriods(trx: Transaction<PeDB>, agreementId: string, state: LoanState): Promise<number> {
  const ps = state.periods;
  const col = <T>(f: (p: (typeof ps)[number]) => T) => ps.map(f);
  const { rows } = await sql<{ marked: number }>`
    with before as (
      select period, status from schedule_payments where agreement_id = ${agreementId}::uuid
    ), changed as (
      update schedule_payments s set
        period_end = n.period_end, due_date = n.due_date, payment = n.payment, principal = n.principal, interest = n.interest,
        balance = n.balance, status = n.status, version = ${state.scheduleVersion}::int,
        paid_interest = n.paid_interest, paid_principal = n.paid_principal, penalty = n.penalty,
        paid_penalty = n.paid_penalty, paid_on = n.paid_on
      from unnest(${col((p) => p.period)}::int[], ${col((p) => p.periodEnd)}::date[], ${col((p) => p.dueDate)}::date[],
                  ${col((p) => p.payment)}::numeric[], ${col((p) => p.principal)}::numeric[],
                  ${col((p) => p.interest)}::numeric[], ${col((p) => p.balance)}::numeric[],
                  ${col((p) => p.status)}::text[], ${col((p) => p.paidInterest)}::numeric[],
                  ${col((p) => p.paidPrincipal)}::numeric[], ${col((p) => p.penalty)}::numeric[],
                  ${col((p) => p.paidPenalty)}::numeric[], ${col((p) => p.paidOn)}::date[])
        as n(period, period_end, due_date, payment, principal, interest, balance, status, paid_interest, paid_principal,
             penalty, paid_penalty, paid_on)
      where s.agreement_id = ${agreementId}::uuid and s.period = n.period
        -- A row the event did not change is not rewritten: no dead tuple, no WAL.
        and (s.period_end, s.due_date, s.payment, s.principal, s.interest, s.balance, s.status, s.version, s.paid_interest,
             s.paid_principal, s.penalty, s.paid_penalty, s.paid_on)
            is distinct from (n.period_end, n.due_date, n.payment, n.principal, n.interest, n.balance, n.status,
             ${state.scheduleVersion}::int, n.paid_interest, n.paid_principal, n.penalty, n.paid_penalty, n.paid_on)
      returning s.period, s.status
    )
    select count(*)::int as marked from changed c join before b using (period)
    where c.status = 'OVERDUE' and b.status <> 'OVERDUE'`.execute(trx);
  return rows[0]?.marked ?? 0;
}

async function insertNewVersions(
  trx: Transaction<PeDB>,
  agreementId: string,
  state: LoanState,
  storedVersion: number | null,
): Promise<void> {
  // Only versions not stored yet: all of them the first time (null), then those a prepayment added.
  const fresh = state.versions.filter((v) => storedVersion === null || v.version > storedVersion);
  const versionRows = fresh.flatMap((v) =>
    v.rows.map((r) => ({
      agreement_id: agreementId,
      version: v.version,
      effective_on: v.effectiveOn,
      reason: v.reason,
      period: r.period,
      period_end: r.periodEnd,
      due_date: r.dueDate,
      payment: r.payment,
      principal: r.principal,
      interest: r.interest,
      balance: r.balance,
    })),
  );
  if (versionRows.length === 0) return;
  const inserted = await trx
    .insertInto("schedule_versions")
    .values(versionRows)
    .onConflict((oc) => oc.columns(["agreement_id", "version", "period"]).doNothing())
    .returning("version")
    .execute();
  // One agreement.schedule-changed per version this transaction stored (a version stored before is no news).
  const stored = new Set(inserted.map((r) => r.version));
  await emitPeEvent(
    trx,
    agreementScheduleChangedEvent,
    fresh
      .filter((v) => stored.has(v.version))
      .map((v) => ({
        subject: agreementId,
        data: {
          agreementId,
          version: v.version,
          effectiveOn: v.effectiveOn,
          reason: v.reason,
          rows: v.rows.map((r) => ({
            period: r.period,
            periodEnd: r.periodEnd,
            dueDate: r.dueDate,
            payment: r.payment,
            principal: r.principal,
            interest: r.interest,
            balance: r.balance,
          })),
        },
      })),
  );
}

/** The allocations, penalty accruals and unapplied funds, replaced whole. */
async function replaceDerivedRows(trx: Transaction<PeDB>, agreementId: string, state: LoanState): Promise<void> {
  await trx.deleteFrom("allocations").where("agreement_id", "=", agreementId).execute();
  if (state.allocations.length > 0)
    await trx
      .insertInto("allocations")
      .values(
        state.allocations.map((a) => ({
          agreement_id: agreementId,
          payment_id: a.paymentId,
          on_date: a.on,
          period: a.period,
          component: a.component,
          amount: a.amount,
        })),
      )
      .execute();
  await trx.deleteFrom("penalty_accruals").where("agreement_id", "=", agreementId).execute();
  if (state.penaltyPostings.length > 0)
    await trx
      .insertInto("penalty_accruals")
      .values(
        state.penaltyPostings.map((p) => ({
          agreement_id: agreementId,
          period: p.period,
          on_date: p.on,
          amount: p.amount,
        })),
      )
      .execute();
  await trx.deleteFrom("unapplied_funds").where("agreement_id", "=", agreementId).execute();
  if (state.unapplied.length > 0)
    await trx
      .insertInto("unapplied_funds")
      .values(
        state.unapplied.map((f) => ({
          agreement_id: agreementId,
          payment_id: f.paymentId,
          purpose: f.purpose,
          remaining: f.remaining,
        })),
      )
      .execute();
}
