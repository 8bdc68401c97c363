import { Dec } from "@loans/shared/money";
import { daysBetween } from "./days.ts";
import {
  fundsTotal,
  isSettled,
  type Ledger,
  type PeriodLedger,
  penaltyOutstanding,
  unpaidInterest,
  unpaidPrincipal,
  ZERO,
} from "./ledger.ts";
import { isLateDay } from "./penalty.ts";
import { paymentOrder, replay } from "./replay.ts";
import type {
  Allocation,
  AllocationRow,
  Bucket,
  LoanState,
  LoanTerms,
  Payment,
  PaymentState,
  PeriodStatus,
} from "./types.ts";

/**
 * A loan's state on `asOf` from its terms and value-dated payments (LIFECYCLE §7's pure function): what
 * GET /agreements/{id} shows and what the stored rows materialise. Pure: the same set of payments gives the
 * same state in whatever order it is passed. Throws ServicingInputError on inputs that describe no loan.
 *
 * Figures on the business date d: past-due is dueDate < d (as allocation reads it), so principalOverdue and
 * interestOverdue count a period inside its grace days, like daysPastDue (§8.4); only OVERDUE and the
 * penalty wait for the grace to run out.
 */
export function computeLoanState(terms: LoanTerms, payments: readonly Payment[], asOf: string): LoanState {
  const l = replay(terms, payments, asOf);
  const sum = (ps: PeriodLedger[], f: (p: PeriodLedger) => Dec) => ps.reduce((s, p) => s.plus(f(p)), ZERO);
  const pastDue = l.periods.filter((p) => p.dueDate < asOf);
  const dueByNow = l.periods.filter((p) => p.dueDate <= asOf);
  const unapplied = fundsTotal(l);
  const penalty = sum(l.periods, penaltyOutstanding);
  const totalDue = sum(dueByNow, (p) => unpaidPrincipal(p).plus(unpaidInterest(p)))
    .plus(penalty)
    .minus(unapplied);
  const oldest = pastDue.find((p) => unpaidPrincipal(p).gt(0) || unpaidInterest(p).gt(0)) ?? null;
  const daysPastDue = oldest ? daysBetween(oldest.dueDate, asOf) : 0;
  const version = l.versions.at(-1)!;
  const next = l.periods.find((p) => unpaidPrincipal(p).gt(0) || unpaidInterest(p).gt(0));
  return {
    asOf,
    closed: l.closedOn !== null,
    closedOn: l.closedOn,
    scheduleVersion: version.version,
    versions: l.versions,
    periods: l.periods.map((p, i) => ({
      ...version.rows[i]!,
      status: status(l, p, asOf),
      paidInterest: p.paidInterest.toFixed(2),
      paidPrincipal: p.paidPrincipal.toFixed(2),
      penalty: p.penalty.toFixed(2),
      paidPenalty: p.paidPenalty.toFixed(2),
      paidOn: p.paidOn,
    })),
    currentPayment: l.closedOn === null && next ? next.principal.plus(next.interest).toFixed(2) : null,
    balances: {
      principalOutstanding: sum(l.periods, unpaidPrincipal).toFixed(2),
      principalOverdue: sum(pastDue, unpaidPrincipal).toFixed(2),
      interestOverdue: sum(pastDue, unpaidInterest).toFixed(2),
      penaltyOutstanding: penalty.toFixed(2),
      unappliedFunds: unapplied.toFixed(2),
      totalDue: Dec.max(ZERO, totalDue).toFixed(2),
    },
    delinquency: { daysPastDue, bucket: bucket(daysPastDue), oldestUnpaidDueDate: oldest?.dueDate ?? null },
    payments: [...payments]
      .filter((p) => p.valueDate <= asOf)
      .sort(paymentOrder)
      .map((p) => paymentState(l, p)),
    allocations: l.allocations,
    penaltyPostings: l.penaltyPostings,
    refunded: l.allocations
      .filter((a) => a.component === "REFUND")
      .reduce((s, a) => s.plus(a.amount), ZERO)
      .toFixed(2),
    unapplied: l.funds.map((f) => ({ paymentId: f.paymentId, purpose: f.purpose, remaining: f.remaining.toFixed(2) })),
  };
}

function status(l: Ledger, p: PeriodLedger, d: string): PeriodStatus {
  if (isSettled(p)) return "PAID";
  if (isLateDay(l, p, d)) return "OVERDUE";
  return p.paidInterest.gt(0) || p.paidPrincipal.gt(0) ? "PARTIALLY_PAID" : "PENDING";
}

function bucket(days: number): Bucket {
  if (days === 0) return "CURRENT";
  if (days <= 30) return "DPD_1_30";
  if (days <= 60) return "DPD_31_60";
  if (days <= 90) return "DPD_61_90";
  return "DPD_90_PLUS";
}

function paymentState(l: Ledger, p: Payment): PaymentState {
  const rows = l.allocations.filter((a) => a.paymentId === p.id);
  return {
    id: p.id,
    amount: new Dec(p.amount).toFixed(2),
    valueDate: p.valueDate,
    purpose: p.purpose,
    onValueDate: summarise(
      p.amount,
      rows.filter((a) => a.on === p.valueDate),
    ),
    total: summarise(p.amount, rows),
  };
}

/** Components of one payment's rows; what they do not account for is still unapplied. */
function summarise(amount: string, rows: AllocationRow[]): Allocation {
  const of = (c: AllocationRow["component"]) =>
    rows.filter((a) => a.component === c).reduce((s, a) => s.plus(a.amount), ZERO);
  const [interest, principal, penalty, refunded] = [of("INTEREST"), of("PRINCIPAL"), of("PENALTY"), of("REFUND")];
  const unapplied = new Dec(amount).minus(interest).minus(principal).minus(penalty).minus(refunded);
  return {
    interest: interest.toFixed(2),
    principal: principal.toFixed(2),
    penalty: penalty.toFixed(2),
    unapplied: unapplied.toFixed(2),
    refunded: refunded.toFixed(2),
  };
}
