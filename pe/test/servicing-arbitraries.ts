import fc from "fast-check";
import { type Amortization, buildSchedule } from "../src/schedules/schedule.ts";
import { addDays } from "../src/servicing/days.ts";
import type { LoanTerms, Payment } from "../src/servicing/index.ts";

// Random loans within CL1.0's bounds (principal 50 000–500 000 plus a 2 000–10 000 fee, 8–15 %, 3–24
// months; penalty 0–20 %, 0–30 grace days), random value-dated payments and dates.
export const cents = (x: string) => Math.round(Number(x) * 100);
export const sum = (xs: string[]) => xs.reduce((a, x) => a + cents(x), 0);

export const termsArb = fc
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
export const caseArb = termsArb.chain((terms) => {
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
