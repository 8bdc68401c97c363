import { Decimal } from "decimal.js";
import { addMonthsClamped } from "../calendar.ts";
import { daysBetween } from "../servicing/days.ts";

/**
 * The full cost of credit (ПСК, 353-FZ art. 6 parts 2–2.1 and 4) as EXCEPTIONS §2.4 and §3.12 define it:
 * ЧБП = 12, q_k whole months from the start to flow k, e_k = days·12/365 of the part month left over, i the
 * smallest positive root of f(i) = Σ ДП_k / ((1 + e_k·i)(1 + i)^q_k), percent = round(1200·i, 3) half-even.
 * Pure decimal code: a constructor of its own, so the precision it needs never changes the money code's.
 */
const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -60, toExpPos: 60 });
type D = Decimal;

export interface PskFlow {
  /** 'YYYY-MM-DD', on or after the start date. */
  date: string;
  /** What the client pays on that date: a positive two-decimal string. */
  amount: string;
}

export interface PskInput {
  /** The date the money is received: the first flow, −disbursementAmount, is on it. */
  start: string;
  disbursementAmount: string;
  flows: PskFlow[];
}

export interface Psk {
  /** Percent a year, three decimals: "15.655". */
  percent: string;
  /** Σ flows − disbursementAmount, in roubles: "26043.27". */
  amount: string;
}

/** One flow as the formula sees it: its amount, whole months q and the leftover days. */
export interface PskTerm {
  amount: D;
  q: number;
  days: number;
}

/** The largest m with start + m months (clamped) ≤ date. */
export function wholeMonths(start: string, date: string): number {
  if (date < start) throw new RangeError(`flow on ${date} is before the start ${start}`);
  const index = (iso: string) => Number(iso.slice(0, 4)) * 12 + Number(iso.slice(5, 7));
  let m = index(date) - index(start);
  while (m > 0 && addMonthsClamped(start, m) > date) m--;
  return m;
}

/** The flows as terms of f: q and days from the start date (§2.4). */
export function pskTerms(input: PskInput): PskTerm[] {
  return input.flows.map((f) => {
    const q = wholeMonths(input.start, f.date);
    return { amount: new D(f.amount), q, days: daysBetween(addMonthsClamped(input.start, q), f.date) };
  });
}

/**
 * f(i) for the terms and the disbursement: −D + Σ a_k·v^q_k / (1 + days_k·12·i/365), v = 1/(1 + i). The
 * powers come by repeated multiplication in q order (one division per call, none for a flow with days = 0):
 * it runs about fifty times per PSK on every POST /agreements.
 */
export function pskF(disbursement: D, terms: PskTerm[]): (i: Decimal.Value) => D {
  const byQ = [...terms].sort((a, b) => a.q - b.q);
  return (iValue) => {
    const i = new D(iValue);
    const v = new D(1).div(i.plus(1));
    const perDay = i.mul(12).div(365);
    let power = new D(1);
    let q = 0;
    let sum = disbursement.neg();
    for (const t of byQ) {
      for (; q < t.q; q++) power = power.mul(v);
      const discounted = t.amount.mul(power);
      sum = sum.plus(t.days === 0 ? discounted : discounted.div(perDay.mul(t.days).plus(1)));
    }
    return sum;
  };
}

const round3 = (x: D): string => x.toDecimalPlaces(3, Decimal.ROUND_HALF_EVEN).toFixed(3);
const TOLERANCE = new D("1e-12");
const FLOOR = new D("1e-30");

/**
 * §3.12's method: f(0) ≤ 0 gives "0.000"; else bisect [0, hi] (hi = 1, doubled while f(hi) > 0) until
 * hi − lo < 1e-12 and round(1200·lo, 3) = round(1200·hi, 3), or the interval is below 1e-30 (a root on a
 * rounding boundary); p = round(1200·(lo + hi)/2, 3).
 */
export function pskPercent(disbursement: D, terms: PskTerm[]): string {
  const f = pskF(disbursement, terms);
  if (f(0).lte(0)) return "0.000";
  let [lo, hi] = nearBracket(f, disbursement, terms) ?? [new D(0), widen(f)];
  for (;;) {
    const width = hi.minus(lo);
    if (width.lt(FLOOR) || (width.lt(TOLERANCE) && round3(lo.mul(1200)) === round3(hi.mul(1200)))) break;
    const mid = lo.plus(hi).div(2);
    if (f(mid).gt(0)) lo = mid;
    else hi = mid;
  }
  return round3(lo.plus(hi).mul(600));
}

/** hi = 1, doubled while f(hi) > 0 (a loan repaying 2^60 times over has no business here: the cap ends the loop). */
function widen(f: (i: Decimal.Value) => D): D {
  let hi = new D(1);
  for (let n = 0; f(hi).gt(0) && n < 60; n++) hi = hi.mul(2);
  return hi;
}

/**
 * A narrow bracket around the root found in binary floating point, confirmed in decimal (f(lo) > 0 ≥
 * f(hi)), or null. Only a speed-up: the stop rule makes p = round(1200·i, 3) of the root whatever bracket
 * the bisection starts from, and starting 1e-13 wide saves some forty of its fifty steps (a double's root is good to about 1e-16).
 */
function nearBracket(f: (i: Decimal.Value) => D, disbursement: D, terms: PskTerm[]): [D, D] | null {
  const flows = terms.map((t) => ({ a: t.amount.toNumber(), q: t.q, e: (t.days * 12) / 365 }));
  const g = (i: number) => flows.reduce((s, t) => s + t.a / ((1 + t.e * i) * (1 + i) ** t.q), -disbursement.toNumber());
  let [lo, hi] = [0, 1];
  while (g(hi) > 0 && hi < 2 ** 60) hi *= 2;
  for (let n = 0; n < 200 && hi - lo > 1e-15 * hi; n++) {
    const mid = (lo + hi) / 2;
    if (g(mid) > 0) lo = mid;
    else hi = mid;
  }
  const [a, b] = [new D(Math.max(0, lo - 5e-14)), new D(hi + 5e-14)];
  return f(a).gt(0) && f(b).lte(0) ? [a, b] : null;
}

/** The PSK of a loan: percent by §3.12, amount = Σ flows − disbursementAmount. */
export function computePsk(input: PskInput): Psk {
  const disbursement = new D(input.disbursementAmount);
  const terms = pskTerms(input);
  const total = terms.reduce((s, t) => s.plus(t.amount), new D(0));
  return { percent: pskPercent(disbursement, terms), amount: total.minus(disbursement).toFixed(2) };
}

/**
 * §3.12's check of a rounded percent p: f((p − 0.0005)/1200) > 0 > f((p + 0.0005)/1200). For "0.000"
 * only the upper side: f(0) ≤ 0 means no positive root, and the law's rate is not negative.
 */
export function pskCheck(input: PskInput, percent: string): boolean {
  const f = pskF(new D(input.disbursementAmount), pskTerms(input));
  const p = new D(percent);
  const above = f(p.plus("0.0005").div(1200)).lt(0);
  if (p.isZero()) return above;
  return above && f(p.minus("0.0005").div(1200)).gt(0);
}
