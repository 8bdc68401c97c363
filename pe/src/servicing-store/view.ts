import type { Kysely } from "kysely";
import type { PeDB } from "../db.ts";
import type { BusinessClock } from "../lifecycle/business-date.ts";
import { computeLoanState } from "../servicing/index.ts";
import { corePayments, findLoan, listPayments, listRefunds } from "./loan.repository.ts";

/**
 * The servicing part of the agreement as GET /agreements/{id} shows it: the business date, and for a
 * serviced loan the figures computed on it from the stored payments, without running or storing the daily
 * job (LIFECYCLE §8.3), so a read between midnight and the job's run already shows the day's overdue
 * status and penalty. The agreement's answer lays these fields over its own.
 */
export async function servicingView(db: Kysely<PeDB>, clock: BusinessClock, id: string) {
  const businessDate = await clock.today(db);
  const loan = await findLoan(db, id);
  if (!loan?.terms || (loan.status !== "ACTIVE" && loan.status !== "CLOSED")) return { businessDate };
  const [payments, refunds] = await Promise.all([listPayments(db, id), listRefunds(db, id)]);
  // Never before the disbursement: a bank instant ahead of PE's clock must not make the loan unreadable.
  const asOf = [businessDate, loan.disbursedOn!, loan.closedOn ?? businessDate].sort().at(-1)!;
  const s = computeLoanState(loan.terms, corePayments(payments), asOf);
  return {
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
      periodEnd: p.periodEnd,
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
