import type { Kysely } from "kysely";
import type { AgreementResponse } from "../agreements/agreements.schemas.ts";
import type { BusinessClock } from "../lifecycle/business-date.ts";
import type { PeDB } from "../db.ts";
import { computeLoanState } from "../servicing/index.ts";
import { corePayments, findLoan, listPayments, listRefunds } from "./loan.repository.ts";

/**
 * The agreement as GET /agreements/{id} shows it: for a serviced loan the figures are computed on the
 * business date from the stored payments, without running or storing the daily job (LIFECYCLE §8.3), so
 * a read between midnight and the job's run already shows the day's overdue status and penalty.
 */
export async function withServicing(
  db: Kysely<PeDB>,
  clock: BusinessClock,
  a: AgreementResponse,
): Promise<AgreementResponse> {
  const businessDate = await clock.today(db);
  const loan = await findLoan(db, a.id);
  if (!loan?.terms || (loan.status !== "ACTIVE" && loan.status !== "CLOSED")) return { ...a, businessDate };
  const [payments, refunds] = await Promise.all([listPayments(db, a.id), listRefunds(db, a.id)]);
  // Never before the disbursement: a bank instant ahead of PE's clock must not make the loan unreadable.
  const asOf = [businessDate, loan.disbursedOn!, loan.closedOn ?? businessDate].sort().at(-1)!;
  const s = computeLoanState(loan.terms, corePayments(payments), asOf);
  return {
    ...a,
    businessDate,
    scheduleVersion: s.scheduleVersion,
    balances: s.balances,
    delinquency: s.delinquency,
    currentPayment: s.currentPayment,
    closedOn: s.closedOn,
    refunds: refunds.map((r) => ({
      paymentId: r.payment_id,
      payoutId: r.payout_id,
      amount: r.amount,
      status: r.status,
      createdAt: r.created_at.toISOString(),
      settledAt: r.settled_at?.toISOString() ?? null,
    })),
    schedule: s.periods.map((p) => ({
      period: p.period,
      dueDate: p.dueDate,
      payment: p.payment,
      principal: p.principal,
      interest: p.interest,
      balance: p.balance,
      status: p.status,
      paidPrincipal: p.paidPrincipal,
      paidInterest: p.paidInterest,
      penalty: p.penalty,
      paidPenalty: p.paidPenalty,
      paidOn: p.paidOn,
    })),
  };
}
