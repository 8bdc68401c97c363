import { Dec } from "@loans/shared/money";
import { addDays, daysInYear } from "./days.ts";
import { type Ledger, type PeriodLedger, unpaidPrincipal } from "./ledger.ts";

/**
 * Penalty accrual (LIFECYCLE §2.4 step 2, D6). Day d is a late day of period k when dueDate + grace < d;
 * the base is the principal still unpaid at the start of d (the job runs before d's payments, so the day
 * of payment counts). E_k is summed exactly, split by year length so a leap day is charged at /366, and
 * only E_k is rounded: the posted amount of a day is round(E_k(d)) − round(E_k(d−1)), never a rounded
 * daily figure, so the total never drifts from round(b · rate · days / 36500).
 */

const cents = (d: Dec): Dec => d.toDecimalPlaces(2, Dec.ROUND_HALF_EVEN);

export const isLateDay = (l: Ledger, p: PeriodLedger, d: string): boolean =>
  addDays(p.dueDate, l.terms.penaltyGraceDays) < d;

// One division over a common denominator, so a true half cent reaches the rounding as a tie.
const exact = (s365: Dec, s366: Dec): Dec =>
  s365
    .mul(366)
    .plus(s366.mul(365))
    .div(100 * 365 * 366);

/** Posts day d's penalty on every late period; records each non-zero posting (a zero one posts nothing). */
export function accruePenaltyDay(l: Ledger, d: string): void {
  const rate = new Dec(l.terms.penaltyRate);
  const leap = daysInYear(d) === 366;
  for (const p of l.periods) {
    const base = unpaidPrincipal(p);
    if (!isLateDay(l, p, d) || base.lte(0)) continue;
    if (leap) p.s366 = p.s366.plus(base.mul(rate));
    else p.s365 = p.s365.plus(base.mul(rate));
    const total = cents(exact(p.s365, p.s366));
    const posted = total.minus(p.penalty);
    p.penalty = total;
    if (!posted.isZero()) l.penaltyPostings.push({ on: d, period: p.period, amount: posted.toFixed(2) });
  }
}

/**
 * The penalty the daily job would post over the days in (from, to] if nothing were paid: the quote's
 * "penalty projected" (§2.5a). Reads the ledger, changes nothing.
 */
export function projectedPenalty(l: Ledger, from: string, to: string): Dec {
  const rate = new Dec(l.terms.penaltyRate);
  let sum = new Dec(0);
  for (const p of l.periods) {
    const base = unpaidPrincipal(p);
    if (base.lte(0)) continue;
    let s365 = p.s365;
    let s366 = p.s366;
    for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) {
      if (!isLateDay(l, p, d)) continue;
      if (daysInYear(d) === 366) s366 = s366.plus(base.mul(rate));
      else s365 = s365.plus(base.mul(rate));
    }
    sum = sum.plus(cents(exact(s365, s366)).minus(p.penalty));
  }
  return sum;
}
