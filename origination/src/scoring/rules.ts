import { Dec, toMoney } from "@loans/shared/money";

/**
 * The scoring rules: pure functions of the application and the thresholds. Every rule is evaluated and
 * every failing rule is reported, so a rejected client learns all the reasons at once.
 */

export type RuleCode = "AGE" | "PAYMENT_TO_INCOME";
export type DecisionResult = "APPROVED" | "REJECTED";

export interface Reason {
  code: RuleCode;
  message: string;
}

export interface Decision {
  result: DecisionResult;
  /** Empty when approved. */
  reasons: Reason[];
}

export interface ScoringThresholds {
  /** Completed years the client must have on the application date. */
  minAge: number;
  /** Completed years the client may have at most on the last due date. */
  maxAgeAtEnd: number;
  /** Decimal text: "50" means all monthly payments together may take at most 50 % of the income. */
  maxPtiPercent: string;
}

export interface ScoringInput {
  /** All dates are "YYYY-MM-DD". */
  birthDate: string;
  applicationDate: string;
  lastDueDate: string;
  /** Decimal strings. */
  monthlyIncome: string;
  monthlyPayment: string;
  /** Monthly payments of the client's other applications that are APPROVED, PAYMENT_PENDING or ACTIVE. */
  otherMonthlyPayments: readonly string[];
}

interface Rule {
  code: RuleCode;
  /** A human-readable reason when the rule fails, null when it passes. */
  check(input: ScoringInput, t: ScoringThresholds): string | null;
}

const RULES: readonly Rule[] = [
  { code: "AGE", check: checkAge },
  { code: "PAYMENT_TO_INCOME", check: checkPaymentToIncome },
];

export function score(input: ScoringInput, thresholds: ScoringThresholds): Decision {
  const reasons: Reason[] = [];
  for (const rule of RULES) {
    const message = rule.check(input, thresholds);
    if (message !== null) reasons.push({ code: rule.code, message });
  }
  return { result: reasons.length === 0 ? "APPROVED" : "REJECTED", reasons };
}

/**
 * Age in completed years on a date. A year is completed on the birthday's month and day; someone born
 * on 29 February completes it on 1 March in common years (there is no 29 February to reach, and 28
 * February is still short of the full year). Dates before the birth give a negative age.
 */
export function ageOn(birthDate: string, on: string): number {
  const [by, bm, bd] = parseDate(birthDate);
  const [y, m, d] = parseDate(on);
  const beforeBirthday = m < bm || (m === bm && d < bd);
  return y - by - (beforeBirthday ? 1 : 0);
}

/**
 * At least `minAge` completed years on the application date, and at most `maxAgeAtEnd` completed years
 * on the last due date: with 70, the 70th birthday on the last due date passes (the client is 70), the
 * 71st fails (the client is 71).
 */
function checkAge(input: ScoringInput, t: ScoringThresholds): string | null {
  const problems: string[] = [];
  const now = ageOn(input.birthDate, input.applicationDate);
  if (now < t.minAge) {
    problems.push(
      `client is ${now} on the application date ${input.applicationDate}, under the minimum age ${t.minAge}`,
    );
  }
  const atEnd = ageOn(input.birthDate, input.lastDueDate);
  if (atEnd > t.maxAgeAtEnd) {
    problems.push(
      `client is ${atEnd} on the last due date ${input.lastDueDate}, over the maximum age ${t.maxAgeAtEnd}`,
    );
  }
  return problems.length === 0 ? null : problems.join("; ");
}

/**
 * This loan's payment plus the client's other approved payments at most `maxPtiPercent` of the monthly
 * income; exactly the limit passes. No income fails whatever the payments.
 */
function checkPaymentToIncome(input: ScoringInput, t: ScoringThresholds): string | null {
  const income = new Dec(input.monthlyIncome);
  const own = new Dec(input.monthlyPayment);
  const others = input.otherMonthlyPayments.reduce((sum, p) => sum.plus(p), new Dec(0));
  const total = own.plus(others);
  const percent = new Dec(t.maxPtiPercent);
  // total / income <= percent / 100, multiplied out so no division rounds.
  if (income.gt(0) && total.times(100).lte(income.times(percent))) return null;
  const breakdown = others.isZero() ? "" : ` (this loan ${toMoney(own)}, other approved loans ${toMoney(others)})`;
  if (!income.gt(0)) return `payments ${toMoney(total)}${breakdown} cannot be paid from income ${toMoney(income)}`;
  return `payments ${toMoney(total)}${breakdown} exceed ${percent.toString()}% of income ${toMoney(income)}`;
}

function parseDate(s: string): [number, number, number] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) throw new TypeError(`not a YYYY-MM-DD date: ${s}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}
