import { Dec } from "@loans/shared/money";
import { buildSchedule } from "../schedules/schedule.ts";
import {
  close,
  fundsTotal,
  isSettled,
  type Ledger,
  markPaid,
  recordVersion,
  spend,
  unpaidPrincipal,
  ZERO,
} from "./ledger.ts";

/**
 * Partial early repayment: reduce the payment, keep the term and due dates (LIFECYCLE §2.5b, D8).
 * On a due date D_k, once installment k is paid, the EARLY_REPAYMENT funds left (R') reduce the balance
 * after k: B' = balance_k − R'. B' ≤ 0 closes the loan (the excess refunded); otherwise periods k+1..n
 * are rebuilt by SCHEDULE.md on B' over n − k periods, same rate and amortization, same numbers and dates.
 * The daily job calls this on each due date (deferred funds); a payment on a due date calls it at once.
 *
 * Where R' sits in the new version: on row k, as extra principal (its payment grows by R', its balance is
 * B'). The spec does not say; this keeps every version's principals summing to the loan's principal and
 * paidPrincipal ≤ principal on every row (§3.2 invariant 3), with R' on the period where it took effect.
 */
export function applyEarlyRepayment(l: Ledger, d: string): void {
  const k = l.periods.findIndex((p) => p.dueDate === d);
  const due = l.periods[k];
  const funds = fundsTotal(l, "EARLY_REPAYMENT");
  if (l.closedOn !== null || !due || funds.isZero()) return;
  // Funds wait only when nothing up to k is unpaid; this guard keeps the rule local anyway.
  if (!l.periods.slice(0, k + 1).every(isSettled)) return;
  const tail = l.periods.slice(k + 1);
  const balance = tail.reduce((s, p) => s.plus(unpaidPrincipal(p)), ZERO);
  // Nothing after k (the last due date): there is nothing to reduce; the close check refunds the funds.
  if (balance.isZero()) return;
  if (funds.gte(balance)) {
    for (const p of tail) p.interest = ZERO;
    // It closes the loan: a payoff's version (the PSK is not recomputed for it, EXCEPTIONS §3.11).
    recordVersion(l, d, "PAYOFF");
    for (const p of tail) {
      p.paidPrincipal = p.paidPrincipal.plus(spend(l, unpaidPrincipal(p), d, p.period, "PRINCIPAL", "EARLY_REPAYMENT"));
    }
    markPaid(l, d);
    close(l, d);
    return;
  }
  const rebuilt = buildSchedule({
    principal: balance.minus(funds).toFixed(2),
    annualRate: l.terms.annualRate,
    termMonths: tail.length,
    amortization: l.terms.amortization,
    startDate: d, // dates are not taken from it: the rows keep their due dates
  });
  tail.forEach((p, i) => {
    const row = rebuilt[i]!;
    p.principal = new Dec(row.principal);
    p.interest = new Dec(row.interest);
  });
  due.principal = due.principal.plus(funds);
  due.paidPrincipal = due.paidPrincipal.plus(spend(l, funds, d, due.period, "PRINCIPAL", "EARLY_REPAYMENT"));
  recordVersion(l, d, "PREPAYMENT");
}
