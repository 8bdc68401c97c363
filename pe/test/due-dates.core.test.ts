import { describe, expect, it } from "vitest";
import { addDays } from "../src/servicing/days.ts";
import { computeLoanState, type Payment, payoffQuote } from "../src/servicing/index.ts";
import { CALENDAR_2026, calendarOf, loanTerms } from "./due-dates-fixtures.ts";

// EXCEPTIONS §6.4: CL2.0, 100 000.00, no fee, 15 %, 6 months, disbursed 2026-01-09, every figure it gives.
const cal = calendarOf(CALENDAR_2026);
const spec = { principal: "100000.00", annualRate: "15", termMonths: 6, disbursedOn: "2026-01-09", calendar: cal };
const shifted = loanTerms({ ...spec, shift: "NEXT_WORKING_DAY" });
const nominal = loanTerms({ ...spec, shift: "NONE" });
const pay = (id: string, valueDate: string, amount = "17403.38"): Payment => ({
  id,
  valueDate,
  amount,
  purpose: "REGULAR",
});
const p1 = pay("p1", "2026-02-09");
const p2 = pay("p2", "2026-03-10");

describe("§6.4 worked example (core)", () => {
  it("periodEnd and dueDate of every row, amounts as under NONE", () => {
    const s = computeLoanState(shifted, [], "2026-01-09");
    expect(s.periods.map((p) => [p.periodEnd, p.dueDate, p.payment, p.principal, p.interest, p.balance])).toEqual([
      ["2026-02-09", "2026-02-09", "17403.38", "16153.38", "1250.00", "83846.62"],
      ["2026-03-09", "2026-03-10", "17403.38", "16355.30", "1048.08", "67491.32"],
      ["2026-04-09", "2026-04-09", "17403.38", "16559.74", "843.64", "50931.58"],
      ["2026-05-09", "2026-05-12", "17403.38", "16766.74", "636.64", "34164.84"],
      ["2026-06-09", "2026-06-09", "17403.38", "16976.32", "427.06", "17188.52"],
      ["2026-07-09", "2026-07-09", "17403.38", "17188.52", "214.86", "0.00"],
    ]);
    const plain = computeLoanState(nominal, [], "2026-01-09");
    expect(plain.periods.map((p) => [p.payment, p.principal, p.interest])).toEqual(
      s.periods.map((p) => [p.payment, p.principal, p.interest]),
    );
    expect(plain.periods.every((p) => p.dueDate === p.periodEnd)).toBe(true);
  });

  it("on 03-09 nothing is due; 17 403.38 on 03-10 pays period 2 with no penalty", () => {
    const before = computeLoanState(shifted, [p1], "2026-03-09");
    expect(before.balances.totalDue).toBe("0.00");
    expect(before.periods[1]!.status).toBe("PENDING");
    const s = computeLoanState(shifted, [p1, p2], "2026-03-10");
    expect(s.payments[1]!.onValueDate).toMatchObject({ interest: "1048.08", principal: "16355.30", penalty: "0.00" });
    expect(s.periods[1]).toMatchObject({ status: "PAID", paidOn: "2026-03-10", penalty: "0.00" });
    expect(s.balances).toMatchObject({ penaltyOutstanding: "0.00", totalDue: "0.00" });
    expect(s.delinquency.daysPastDue).toBe(0);
    expect(s.penaltyPostings).toEqual([]);
  });

  it("the quote after it accrues from the nominal 03-09: 67 518.53", () => {
    const q = payoffQuote(shifted, [p1, p2], "2026-03-10");
    expect(q.amount).toBe("67518.53");
    expect(q.accrual).toMatchObject({ period: 3, from: "2026-03-09", to: "2026-04-09", daysElapsed: 1 });
    expect(q.components).toMatchObject({ principal: "67491.32", interest: "27.21", penalty: "0.00" });
  });

  it("under NONE the same payment is one day late: penalty 8.96 stays owed, period 2 OVERDUE", () => {
    const s = computeLoanState(nominal, [p1, p2], "2026-03-10");
    expect(s.periods[1]).toMatchObject({ status: "OVERDUE", penalty: "8.96", paidPenalty: "0.00" });
    expect(s.balances.penaltyOutstanding).toBe("8.96");
  });

  it("under CL2.0 the penalty would first accrue on 03-11", () => {
    const s = computeLoanState(shifted, [p1], "2026-03-11");
    expect(s.penaltyPostings).toEqual([{ on: "2026-03-11", period: 2, amount: "8.96" }]);
    expect(s.delinquency).toEqual({ daysPastDue: 1, bucket: "DPD_1_30", oldestUnpaidDueDate: "2026-03-10" });
    expect(computeLoanState(shifted, [p1], "2026-03-10").periods[1]!.status).toBe("PENDING");
  });
});

// A due date on a holiday, on a weekend, after a run of holidays across a year end: the date moves, the
// installment paid on the moved date costs nothing, and one day later costs one day of penalty.
const yearEnd = calendarOf([...CALENDAR_2026, ...["01", "04", "05", "06", "07", "08"].map((d) => `2027-01-${d}`)]);
describe.each([
  { name: "a holiday", disbursedOn: "2026-01-09", period: 2, periodEnd: "2026-03-09", dueDate: "2026-03-10" },
  { name: "a weekend", disbursedOn: "2026-01-14", period: 1, periodEnd: "2026-02-14", dueDate: "2026-02-16" },
  {
    name: "a Saturday, then a holiday",
    disbursedOn: "2026-01-09",
    period: 4,
    periodEnd: "2026-05-09",
    dueDate: "2026-05-12",
  },
  {
    name: "holidays across a year end",
    disbursedOn: "2026-10-31",
    period: 2,
    periodEnd: "2026-12-31",
    dueDate: "2027-01-11",
  },
])("a due date on $name", ({ disbursedOn, period, periodEnd, dueDate }) => {
  const terms = loanTerms({ ...spec, disbursedOn, calendar: yearEnd, shift: "NEXT_WORKING_DAY" });
  const row = terms.schedule[period - 1]!;
  const earlier = terms.schedule.slice(0, period - 1).map((r) => pay(`e${r.period}`, r.dueDate, r.payment));

  it(`moves from ${periodEnd} to ${dueDate}`, () => {
    expect([row.periodEnd, row.dueDate]).toEqual([periodEnd, dueDate]);
    expect(terms.schedule.every((r, i) => r.dueDate < (terms.schedule[i + 1]?.periodEnd ?? "9999-12-31"))).toBe(true);
  });

  it("a payment on the moved date costs no penalty", () => {
    const s = computeLoanState(terms, [...earlier, pay("x", dueDate, row.payment)], dueDate);
    expect(s.periods[period - 1]).toMatchObject({ status: "PAID", penalty: "0.00" });
    expect(s.balances.totalDue).toBe("0.00");
    expect(s.delinquency.daysPastDue).toBe(0);
  });

  it("a day after the moved date costs one day's penalty", () => {
    const late = computeLoanState(terms, earlier, addDays(dueDate, 1));
    const p = late.periods[period - 1]!;
    expect(p.status).toBe("OVERDUE");
    expect(late.delinquency.daysPastDue).toBe(1);
    expect(p.penalty).not.toBe("0.00");
  });
});

describe("a quote between periodEnd and dueDate", () => {
  it("on 03-09 the quote runs to 03-10; on 03-10 period 2 owes its whole interest and period 3 accrues", () => {
    const atEnd = payoffQuote(shifted, [p1], "2026-03-09", "2026-03-09");
    expect(atEnd).toMatchObject({ amount: "84894.70", accrual: { period: 2, daysElapsed: 28, daysInPeriod: 28 } });
    const between = payoffQuote(shifted, [p1], "2026-03-09", "2026-03-10");
    expect(between.amount).toBe("84921.91");
    expect(between.components).toMatchObject({ overdueInterest: "1048.08", interest: "27.21", penalty: "0.00" });
    expect(() => payoffQuote(shifted, [p1], "2026-03-09", "2026-03-11")).toThrow(/runs from 2026-03-09 to 2026-03-10/);
  });

  it("paying that quote on 03-10 closes the loan with period 3's interest at one day", () => {
    const s = computeLoanState(shifted, [p1, pay("off", "2026-03-10", "84921.91")], "2026-03-10");
    expect(s).toMatchObject({ closed: true, closedOn: "2026-03-10", refunded: "0.00" });
    expect(s.versions.at(-1)).toMatchObject({ reason: "PAYOFF" });
    expect(s.periods[2]!.interest).toBe("27.21");
  });
});

describe("a partial early repayment on a CL2.0 loan", () => {
  const early: Payment = { id: "e", valueDate: "2026-03-09", amount: "37403.38", purpose: "EARLY_REPAYMENT" };
  it("paid on periodEnd 03-09 it waits for the due date 03-10; the rebuilt tail keeps both dates", () => {
    const waiting = computeLoanState(shifted, [p1, early], "2026-03-09");
    expect(waiting).toMatchObject({ scheduleVersion: 1, balances: { unappliedFunds: "37403.38" } });
    const s = computeLoanState(shifted, [p1, early], "2026-03-10");
    expect(s.periods[1]).toMatchObject({ status: "PAID", paidOn: "2026-03-10" });
    expect(s.versions.at(-1)).toMatchObject({ version: 2, reason: "PREPAYMENT", effectiveOn: "2026-03-10" });
    const v2 = s.versions.at(-1)!.rows;
    expect(v2.map((r) => [r.periodEnd, r.dueDate])).toEqual(s.versions[0]!.rows.map((r) => [r.periodEnd, r.dueDate]));
    expect(v2[1]).toMatchObject({ principal: "36355.30", balance: "47491.32" });
    expect(s.balances.principalOutstanding).toBe("47491.32");
  });

  it("under NONE the same payment is on the due date and applies at once", () => {
    const s = computeLoanState(nominal, [p1, early], "2026-03-09");
    expect(s.versions.at(-1)).toMatchObject({ version: 2, reason: "PREPAYMENT", effectiveOn: "2026-03-09" });
    expect(s.balances.principalOutstanding).toBe("47491.32");
  });
});
