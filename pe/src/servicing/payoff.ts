import { Dec } from "@loans/shared/money";
import { daysBetween } from "./days.ts";
import {
  close,
  fundsTotal,
  type Ledger,
  markPaid,
  penaltyOutstanding,
  recordVersion,
  spend,
  unpaidInterest,
  unpaidPrincipal,
  ZERO,
} from "./ledger.ts";
import { projectedPenalty } from "./penalty.ts";

/**
 * Full payoff (LIFECYCLE §2.5a, D7, on nominal dates by EXCEPTIONS §3.10). Period k is the first with
 * periodEnd_k ≥ t; its interest accrues Actual/Actual (ICMA) from S_k = periodEnd_{k−1} (or disbursedOn)
 * to D_k = periodEnd_k on O_k, the principal scheduled from k on in the current version:
 *   accrued_k(t) = round(O_k · rate · (t − S_k) / (1200 · (D_k − S_k)))
 * so at t = D_k it is the scheduled interest exactly (O_k · rate / 1200 is how the schedule made it) and
 * the quote meets the schedule without a jump. Later periods' interest is not owed; a period whose
 * periodEnd < t ≤ dueDate is before k and owes its whole interest. Under NONE periodEnd = dueDate.
 */

export interface Accrual {
  period: number;
  from: string;
  to: string;
  daysElapsed: number;
  daysInPeriod: number;
  openingBalance: Dec;
  amount: Dec;
}

/** Period k's accrual on t, or null after the last periodEnd (nothing accrues then). */
export function accrual(l: Ledger, t: string): Accrual | null {
  const k = l.periods.findIndex((p) => p.periodEnd >= t);
  const p = l.periods[k];
  if (!p) return null;
  const from = k === 0 ? l.terms.disbursedOn : l.periods[k - 1]!.periodEnd;
  const openingBalance = l.periods.slice(k).reduce((s, q) => s.plus(q.principal), ZERO);
  const daysElapsed = Math.max(0, daysBetween(from, t));
  const daysInPeriod = daysBetween(from, p.periodEnd);
  const amount = openingBalance
    .mul(l.terms.annualRate)
    .mul(daysElapsed)
    .div(new Dec(1200).mul(daysInPeriod))
    .toDecimalPlaces(2, Dec.ROUND_HALF_EVEN);
  return { period: p.period, from, to: p.periodEnd, daysElapsed, daysInPeriod, openingBalance, amount };
}

export interface Owed {
  principal: Dec;
  /** Period k's accrued interest not yet paid. */
  interest: Dec;
  /** Unpaid interest of the periods before k. */
  overdueInterest: Dec;
  penalty: Dec;
  total: Dec;
  accrual: Accrual | null;
}

/** owed(t) on the ledger as of business date d (t ≥ d), penalty projected over (d, t]. */
export function owed(l: Ledger, d: string, t: string): Owed {
  const acc = accrual(l, t);
  const before = acc ? l.periods.filter((p) => p.period < acc.period) : l.periods;
  const current = acc ? l.periods.find((p) => p.period === acc.period)! : null;
  const principal = l.periods.reduce((s, p) => s.plus(unpaidPrincipal(p)), ZERO);
  const overdueInterest = before.reduce((s, p) => s.plus(unpaidInterest(p)), ZERO);
  const interest = acc && current ? Dec.max(ZERO, acc.amount.minus(current.paidInterest)) : ZERO;
  const penalty = l.periods.reduce((s, p) => s.plus(penaltyOutstanding(p)), ZERO).plus(projectedPenalty(l, d, t));
  const total = principal.plus(overdueInterest).plus(interest).plus(penalty);
  return { principal, interest, overdueInterest, penalty, total, accrual: acc };
}

/**
 * After a payment on d: if the unapplied funds reach owed(d), whatever their purpose, the loan is paid
 * off now — period k's interest becomes accrued_k(d), later interest 0.00, a new schedule version, every
 * remaining amount paid, CLOSED, and the rest refunded. Returns whether it did.
 */
export function payOffIfCovered(l: Ledger, d: string): boolean {
  const o = owed(l, d, d);
  if (l.closedOn !== null || o.total.isZero() || fundsTotal(l).lt(o.total)) return false;
  if (o.accrual) {
    const k = o.accrual.period;
    for (const p of l.periods) {
      if (p.period === k) p.interest = Dec.max(o.accrual.amount, p.paidInterest);
      if (p.period > k) p.interest = p.paidInterest;
    }
    recordVersion(l, d, "PAYOFF");
  }
  for (const p of l.periods) {
    p.paidInterest = p.paidInterest.plus(spend(l, unpaidInterest(p), d, p.period, "INTEREST"));
    p.paidPenalty = p.paidPenalty.plus(spend(l, penaltyOutstanding(p), d, p.period, "PENALTY"));
  }
  for (const p of l.periods) {
    p.paidPrincipal = p.paidPrincipal.plus(spend(l, unpaidPrincipal(p), d, p.period, "PRINCIPAL"));
  }
  markPaid(l, d);
  close(l, d);
  return true;
}
