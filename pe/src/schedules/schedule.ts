import { Dec } from "@loans/shared/money";
import { addMonthsClamped } from "../calendar.ts";

/**
 * Payment schedules as SCHEDULE.md defines them: declining balance, 30/360 monthly rate, every figure
 * rounded to the cent half-even, the last period taking whatever balance is left. Pure decimal code.
 */

export type Amortization = "ANNUITY" | "EQUAL_PRINCIPAL";

export interface ScheduleTerms {
  /** Decimal string, two places at most: "305000.00". */
  principal: string;
  /** Annual percent, four places at most: "12.5". */
  annualRate: string;
  termMonths: number;
  amortization: Amortization;
  /** 'YYYY-MM-DD': period k is due k calendar months after it. */
  startDate: string;
}

export interface ScheduleRow {
  period: number;
  /** start + k months, clamped: the nominal end of the period (EXCEPTIONS §2.4). */
  periodEnd: string;
  /** When the payment falls due: periodEnd here; moved off non-working days by due-dates.ts when the product says so. */
  dueDate: string;
  payment: string;
  principal: string;
  interest: string;
  balance: string;
}

const cents = (d: Dec): Dec => d.toDecimalPlaces(2, Dec.ROUND_HALF_EVEN);

/**
 * The level installment A = round(P·r / (1 − (1 + r)^−n)), or round(P / n) when r = 0.
 * r is annualRate / 1200, kept at 40 significant digits.
 */
export function annuityPayment(principal: string, annualRate: string, termMonths: number): Dec {
  const p = new Dec(principal);
  const r = new Dec(annualRate).div(1200);
  if (r.isZero()) return cents(p.div(termMonths));
  return cents(p.mul(r).div(new Dec(1).minus(r.plus(1).pow(-termMonths))));
}

export function buildSchedule(terms: ScheduleTerms): ScheduleRow[] {
  const n = terms.termMonths;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`termMonths must be a whole number ≥ 1, got ${n}`);
  const rate = new Dec(terms.annualRate);
  const level =
    terms.amortization === "ANNUITY"
      ? annuityPayment(terms.principal, terms.annualRate, n)
      : cents(new Dec(terms.principal).div(n));
  const rows: ScheduleRow[] = [];
  let balance = new Dec(terms.principal);
  for (let period = 1; period <= n; period++) {
    // B·rate/1200 rather than B·r: B·rate is exact, so a true half cent (5718.20 · 0.075 = 428.865)
    // reaches the rounding as a tie instead of as 428.86499… from a truncated r.
    const interest = cents(balance.mul(rate).div(1200));
    const planned = period === n ? balance : terms.amortization === "ANNUITY" ? level.minus(interest) : level;
    // A tiny loan over a long term rounds its installment up (2.00 over 360 months is 0.01 a month), which
    // would pay it off early and push the balance below zero; no period repays more than is left.
    const principal = Dec.min(planned, balance);
    balance = balance.minus(principal);
    const periodEnd = addMonthsClamped(terms.startDate, period);
    rows.push({
      period,
      periodEnd,
      dueDate: periodEnd,
      payment: principal.plus(interest).toFixed(2),
      principal: principal.toFixed(2),
      interest: interest.toFixed(2),
      balance: balance.toFixed(2),
    });
  }
  return rows;
}
