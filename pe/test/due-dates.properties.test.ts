import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { redateRows } from "../src/schedules/due-dates.ts";
import { addDays } from "../src/servicing/days.ts";
import { computeLoanState, type LoanState, type Payment } from "../src/servicing/index.ts";
import { calendarOf, loanTerms, redated } from "./due-dates-fixtures.ts";

// Random NEXT_WORKING_DAY loans on a random calendar, random payments, a calendar change on a random day d
// to another random calendar: as of every date up to d the loan reads the same (EXCEPTIONS §3.9).
const holidays = (from: string) =>
  fc.uniqueArray(fc.integer({ min: 0, max: 240 }), { maxLength: 30 }).map((ds) => ds.map((n) => addDays(from, n)));

const caseArb = fc
  .record({
    principal: fc.integer({ min: 5_000_000, max: 50_000_000 }).map((c) => (c / 100).toFixed(2)),
    annualRate: fc.integer({ min: 800, max: 1500 }).map((bp) => String(bp / 100)),
    termMonths: fc.integer({ min: 3, max: 6 }),
    disbursedOn: fc.integer({ min: 0, max: 700 }).map((n) => addDays("2025-01-01", n)),
    penaltyGraceDays: fc.constantFrom(0, 0, 3),
  })
  .chain((t) =>
    fc.record({
      t: fc.constant(t),
      before: holidays(t.disbursedOn),
      after: holidays(t.disbursedOn),
      redateDay: fc.integer({ min: 0, max: t.termMonths * 31 }),
      payments: fc.array(
        fc.record({
          day: fc.integer({ min: 0, max: t.termMonths * 31 + 20 }),
          amount: fc.integer({ min: 0, max: Math.round((Number(t.principal) * 100) / t.termMonths) * 2 }),
          purpose: fc.constantFrom<Payment["purpose"]>("REGULAR", "REGULAR", "EARLY_REPAYMENT"),
        }),
        { maxLength: 8 },
      ),
    }),
  );

/** What a date's state says about the past: everything but the dates still ahead and the version log. */
function past(s: LoanState) {
  return {
    closedOn: s.closedOn,
    balances: s.balances,
    delinquency: s.delinquency,
    payments: s.payments,
    allocations: s.allocations,
    penaltyPostings: s.penaltyPostings,
    periods: s.periods.map(({ dueDate, ...p }) => ({ ...p, dueDate: dueDate <= s.asOf ? dueDate : "ahead" })),
  };
}

describe("re-dating after a calendar change", () => {
  it("leaves the state as of every date up to the change unchanged, and moves no date into the past", () => {
    fc.assert(
      fc.property(caseArb, ({ t, before, after, redateDay, payments }) => {
        const terms = loanTerms({ ...t, shift: "NEXT_WORKING_DAY", calendar: calendarOf(before) });
        const ps = payments.map(
          (p, i): Payment => ({
            id: `p${i}`,
            valueDate: addDays(t.disbursedOn, p.day),
            amount: (p.amount / 100).toFixed(2),
            purpose: p.purpose,
          }),
        );
        const d = addDays(t.disbursedOn, redateDay);
        const atD = computeLoanState(terms, ps, d);
        const cal = calendarOf(after);
        const moved = redated(terms, cal, d, atD.scheduleVersion + 1);
        const { changed } = redateRows(terms.schedule, "NEXT_WORKING_DAY", cal, d);
        for (const [i, r] of moved.schedule.entries()) {
          const old = terms.schedule[i]!;
          if (old.dueDate <= d) expect(r.dueDate).toBe(old.dueDate);
          else expect(r.dueDate > d).toBe(true);
          if (r.dueDate > d) expect(cal.isWorking(r.dueDate) || r.dueDate === old.dueDate).toBe(true);
        }
        for (let x = t.disbursedOn; x <= d; x = addDays(x, 1)) {
          const a = computeLoanState(terms, ps, x);
          const b = computeLoanState(moved, ps, x);
          expect(past(b)).toEqual(past(a));
          const extra = x === d && changed > 0 ? 1 : 0;
          expect(b.scheduleVersion).toBe(a.scheduleVersion + extra);
          if (extra) expect(b.versions.at(-1)).toMatchObject({ reason: "CALENDAR", effectiveOn: d });
        }
        // Later, the CALENDAR version keeps its place in the log: the versions before it are the same ones.
        const later = computeLoanState(moved, ps, addDays(d, 40));
        const laterOld = computeLoanState(terms, ps, addDays(d, 40));
        expect(later.versions.slice(0, atD.versions.length).map((v) => v.reason)).toEqual(
          atD.versions.map((v) => v.reason),
        );
        if (changed > 0) expect(later.versions[atD.versions.length]?.reason).toBe("CALENDAR");
        expect(later.scheduleVersion).toBe(laterOld.scheduleVersion + (changed > 0 ? 1 : 0));
      }),
      { numRuns: 40 },
    );
  });
});
