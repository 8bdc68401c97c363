import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Amortization, buildSchedule } from "../src/schedules/schedule.ts";
import { addDays } from "../src/servicing/days.ts";
import { computeLoanState, type LoanTerms, type Payment, payoffQuote } from "../src/servicing/index.ts";

// Random loans within CL1.0's bounds (principal 50 000–500 000 plus a 2 000–10 000 fee, 8–15 %, 3–24
// months; penalty 0–20 %, 0–30 grace days), random value-dated payments and dates.
const cents = (x: string) => Math.round(Number(x) * 100);
const sum = (xs: string[]) => xs.reduce((a, x) => a + cents(x), 0);

const termsArb = fc
  .record({
    principal: fc.integer({ min: 5_200_000, max: 51_000_000 }).map((c) => (c / 100).toFixed(2)),
    annualRate: fc.integer({ min: 800, max: 1500 }).map((bp) => String(bp / 100)),
    termMonths: fc.integer({ min: 3, max: 24 }),
    amortization: fc.constantFrom<Amortization>("ANNUITY", "EQUAL_PRINCIPAL"),
    disbursedOn: fc.date({ min: new Date("2023-01-01"), max: new Date("2026-12-31"), noInvalidDate: true }),
    penaltyRate: fc.integer({ min: 0, max: 20 }).map(String),
    penaltyGraceDays: fc.constantFrom(0, 0, 3, 30),
  })
  .map((t): LoanTerms => {
    const disbursedOn = t.disbursedOn.toISOString().slice(0, 10);
    return {
      schedule: buildSchedule({ ...t, startDate: disbursedOn }),
      disbursedOn,
      annualRate: t.annualRate,
      amortization: t.amortization,
      penaltyRate: t.penaltyRate,
      penaltyGraceDays: t.penaltyGraceDays,
    };
  });

/** A loan, payments around its schedule (small, installment-sized and payoff-sized), and a date. */
const caseArb = termsArb.chain((terms) => {
  const span = terms.schedule.length * 31 + 60;
  const installment = cents(terms.schedule[0]!.payment);
  const amount = fc.oneof(
    fc.integer({ min: 0, max: 100_000 }),
    fc.integer({ min: installment - 500, max: installment + 20_000 }),
    fc.integer({ min: 0, max: Math.round(cents(terms.schedule[0]!.principal) * terms.schedule.length * 1.1) }),
  );
  const payment = fc.record({
    day: fc.integer({ min: 0, max: span }),
    amount,
    purpose: fc.constantFrom<Payment["purpose"]>("REGULAR", "EARLY_REPAYMENT"),
  });
  return fc.record({
    terms: fc.constant(terms),
    payments: fc.array(payment, { maxLength: 14 }).map((ps) =>
      ps.map(
        (p, i): Payment => ({
          id: `p${String(i).padStart(2, "0")}`,
          valueDate: addDays(terms.disbursedOn, p.day),
          amount: (p.amount / 100).toFixed(2),
          purpose: p.purpose,
        }),
      ),
    ),
    asOf: fc.integer({ min: 0, max: span + 30 }).map((d) => addDays(terms.disbursedOn, d)),
  });
});

const runs = { numRuns: 150 };

describe("servicing core properties", () => {
  it("every payment's allocation sums to it, nothing is negative, money in = allocated + unapplied + refunded", () => {
    fc.assert(
      fc.property(caseArb, ({ terms, payments, asOf }) => {
        const s = computeLoanState(terms, payments, asOf);
        for (const p of s.payments) {
          for (const a of [p.total, p.onValueDate]) {
            const parts = [a.interest, a.principal, a.penalty, a.unapplied, a.refunded];
            expect(parts.every((x) => cents(x) >= 0)).toBe(true);
            expect(sum(parts)).toBe(cents(p.amount));
          }
        }
        for (const p of s.periods) {
          expect(cents(p.paidInterest)).toBeGreaterThanOrEqual(0);
          expect(cents(p.paidInterest)).toBeLessThanOrEqual(cents(p.interest));
          expect(cents(p.paidPrincipal)).toBeGreaterThanOrEqual(0);
          expect(cents(p.paidPrincipal)).toBeLessThanOrEqual(cents(p.principal));
          expect(cents(p.paidPenalty)).toBeGreaterThanOrEqual(0);
          expect(cents(p.paidPenalty)).toBeLessThanOrEqual(cents(p.penalty));
          expect(cents(p.balance)).toBeGreaterThanOrEqual(0);
        }
        expect(Object.values(s.balances).every((x) => cents(x) >= 0)).toBe(true);
        for (const v of s.versions)
          expect(sum(v.rows.map((r) => r.principal))).toBe(sum(terms.schedule.map((r) => r.principal)));
        const paidIn = sum(s.payments.map((p) => p.amount));
        const allocated =
          sum(s.periods.map((p) => p.paidInterest)) +
          sum(s.periods.map((p) => p.paidPrincipal)) +
          sum(s.periods.map((p) => p.paidPenalty));
        expect(allocated + cents(s.balances.unappliedFunds) + cents(s.refunded)).toBe(paidIn);
        expect(sum(s.allocations.map((a) => a.amount)) + cents(s.balances.unappliedFunds)).toBe(paidIn);
      }),
      runs,
    );
  });

  it("a loan is closed iff fully paid, and then paid = principal + interest + penalties + refunded", () => {
    fc.assert(
      fc.property(caseArb, ({ terms, payments, asOf }) => {
        const s = computeLoanState(terms, payments, asOf);
        const fullyPaid = s.periods.every(
          (p) => p.paidPrincipal === p.principal && p.paidInterest === p.interest && p.paidPenalty === p.penalty,
        );
        expect(s.closed).toBe(fullyPaid);
        expect(s.periods.every((p) => p.status === "PAID")).toBe(fullyPaid);
        if (!s.closed) return;
        expect(s.balances.unappliedFunds).toBe("0.00");
        const principal = sum(terms.schedule.map((r) => r.principal));
        expect(sum(s.periods.map((p) => p.paidPrincipal))).toBe(principal);
        const total =
          principal +
          sum(s.periods.map((p) => p.paidInterest)) +
          sum(s.periods.map((p) => p.paidPenalty)) +
          cents(s.refunded);
        expect(total).toBe(sum(s.payments.map((p) => p.amount)));
      }),
      runs,
    );
  });

  it("later days only add: paid amounts never fall, and each payment's first allocation stays inside its total", () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 1, max: 120 }), ({ terms, payments, asOf }, more) => {
        const now = computeLoanState(terms, payments, asOf);
        const later = computeLoanState(terms, payments, addDays(asOf, more));
        now.periods.forEach((p, i) => {
          const q = later.periods[i]!;
          expect(cents(q.paidInterest) + cents(q.paidPrincipal)).toBeGreaterThanOrEqual(
            cents(p.paidInterest) + cents(p.paidPrincipal),
          );
          expect(cents(q.penalty)).toBeGreaterThanOrEqual(cents(p.penalty));
        });
        for (const p of now.payments) {
          for (const c of ["interest", "principal", "penalty", "refunded"] as const) {
            expect(cents(p.onValueDate[c])).toBeLessThanOrEqual(cents(p.total[c]));
          }
        }
      }),
      runs,
    );
  });

  it("the state depends on the set of payments, not the order they are fed in", () => {
    const shuffled = caseArb.chain((c) =>
      fc.record({ c: fc.constant(c), order: fc.shuffledSubarray(c.payments, { minLength: c.payments.length }) }),
    );
    fc.assert(
      fc.property(shuffled, ({ c, order }) => {
        expect(computeLoanState(c.terms, order, c.asOf)).toEqual(computeLoanState(c.terms, c.payments, c.asOf));
      }),
      runs,
    );
  });

  it("on a due date the quote is the schedule's remaining principal plus that period's interest", () => {
    const arb = termsArb.chain((terms) =>
      fc.record({
        terms: fc.constant(terms),
        k: fc.integer({ min: 0, max: terms.schedule.length - 1 }),
        back: fc.integer({ min: 0, max: 31 }),
      }),
    );
    fc.assert(
      fc.property(arb, ({ terms, k, back }) => {
        // installments before k paid on their due dates; quoted for D_k from any business date in [D_{k−1}, D_k]
        const rows = terms.schedule;
        const paid = rows
          .slice(0, k)
          .map((r): Payment => ({ id: `p${r.period}`, valueDate: r.dueDate, amount: r.payment, purpose: "REGULAR" }));
        const start = k === 0 ? terms.disbursedOn : rows[k - 1]!.dueDate;
        const d = [addDays(rows[k]!.dueDate, -back), start].sort().at(-1)!;
        const q = payoffQuote(terms, paid, d, rows[k]!.dueDate);
        const expected = sum(rows.slice(k).map((r) => r.principal)) + cents(rows[k]!.interest);
        expect(cents(q.amount)).toBe(expected);
      }),
      runs,
    );
  });

  it("paying the quote closes the loan with nothing refunded; a kopeck less does not close it", () => {
    fc.assert(
      fc.property(caseArb, ({ terms, payments, asOf }) => {
        const s = computeLoanState(terms, payments, asOf);
        if (s.closed) return;
        const q = payoffQuote(terms, payments, asOf);
        const payoff = (amount: string): Payment => ({ id: "zz", valueDate: asOf, amount, purpose: "REGULAR" });
        const after = computeLoanState(terms, [...payments, payoff(q.amount)], asOf);
        if (cents(q.amount) === 0) return;
        expect(after).toMatchObject({ closed: true, closedOn: asOf, refunded: s.refunded });
        const short = computeLoanState(terms, [...payments, payoff(((cents(q.amount) - 1) / 100).toFixed(2))], asOf);
        expect(short.closed).toBe(false);
      }),
      runs,
    );
  });
});
