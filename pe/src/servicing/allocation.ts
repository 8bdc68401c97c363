import { type Ledger, markPaid, penaltyOutstanding, spend, unpaidInterest, unpaidPrincipal } from "./ledger.ts";

/**
 * Allocation of the unapplied funds on date `d`, in 353-FZ art. 5 §20's order (LIFECYCLE §2.3, D5):
 * 1. interest of past-due periods (dueDate < d), oldest first; 2. their principal, oldest first;
 * 3. penalties; 4. interest of the period due on d; 5. its principal. What is left stays unapplied.
 *
 * A new payment joins the FIFO and this runs; so does the daily job, every day. Both are the same thing:
 * funds are only ever left over when steps 1–5 owe nothing, so a payment never finds older funds ahead of
 * an unpaid item. Past-due ignores the grace days (they only delay OVERDUE and the penalty).
 *
 * Penalties (step 3) are paid oldest period first: each period's penalty only grows, and an older period's
 * late days began earlier, so this is "oldest accrual first" up to how the same sum splits across periods.
 * Allocation never rounds: every outstanding amount is already in cents.
 */
export function allocate(l: Ledger, d: string): void {
  const pastDue = l.periods.filter((p) => p.dueDate < d);
  const dueToday = l.periods.filter((p) => p.dueDate === d);
  for (const p of pastDue) p.paidInterest = p.paidInterest.plus(spend(l, unpaidInterest(p), d, p.period, "INTEREST"));
  for (const p of pastDue) {
    p.paidPrincipal = p.paidPrincipal.plus(spend(l, unpaidPrincipal(p), d, p.period, "PRINCIPAL"));
  }
  for (const p of l.periods) {
    p.paidPenalty = p.paidPenalty.plus(spend(l, penaltyOutstanding(p), d, p.period, "PENALTY"));
  }
  for (const p of dueToday) {
    p.paidInterest = p.paidInterest.plus(spend(l, unpaidInterest(p), d, p.period, "INTEREST"));
    p.paidPrincipal = p.paidPrincipal.plus(spend(l, unpaidPrincipal(p), d, p.period, "PRINCIPAL"));
  }
  markPaid(l, d);
}
