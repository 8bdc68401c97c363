import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays } from "../src/servicing/days.ts";
import { computeLoanState, type Payment, payoffQuote } from "../src/servicing/index.ts";

import { caseArb, cents, sum, termsArb } from "./servicing-arbitraries.ts";

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
