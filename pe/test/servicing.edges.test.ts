import { describe, expect, it } from "vitest";
import { buildSchedule } from "../src/schedules/schedule.ts";
import {
  type Allocation,
  computeLoanState,
  type LoanTerms,
  type Payment,
  payoffQuote,
  QuoteNotAvailableError,
} from "../src/servicing/index.ts";

// The §5 loan (305 000.00, 12.5 %, 12 months) at the edges of allocation, penalty and payoff. Expected
// figures by hand, cross-checked with Python's decimal (ROUND_HALF_EVEN) on the same formulas.
const loan = (disbursedOn = "2025-01-15", penaltyGraceDays = 0): LoanTerms => ({
  schedule: buildSchedule({
    principal: "305000.00",
    annualRate: "12.5",
    termMonths: 12,
    amortization: "ANNUITY",
    startDate: disbursedOn,
  }),
  disbursedOn,
  annualRate: "12.5",
  amortization: "ANNUITY",
  penaltyRate: "20",
  penaltyGraceDays,
});
let n = 0;
const pay = (valueDate: string, amount: string, purpose: Payment["purpose"] = "REGULAR"): Payment => ({
  id: `p${String(++n).padStart(3, "0")}`,
  valueDate,
  amount,
  purpose,
});
const alloc = (interest: string, principal: string, penalty: string, unapplied = "0.00", refunded = "0.00") =>
  ({ interest, principal, penalty, unapplied, refunded }) satisfies Allocation;
const onTime = (): Payment[] => [
  pay("2025-02-15", "27170.27"),
  pay("2025-03-15", "27170.27"),
  pay("2025-04-15", "27170.27"),
  pay("2025-05-15", "27170.27"),
];

describe("allocation at its edges", () => {
  const cases: Array<{
    name: string;
    terms?: LoanTerms;
    payments: Payment[];
    asOf: string;
    last: Allocation;
    period?: { index: number; status: string; penalty: string };
    closed?: boolean;
    refunded?: string;
  }> = [
    {
      name: "a payment on the due date pays that period's interest then principal, no penalty",
      payments: [pay("2025-02-15", "27170.27")],
      asOf: "2025-02-15",
      last: alloc("3177.08", "23993.19", "0.00"),
      period: { index: 0, status: "PAID", penalty: "0.00" },
    },
    {
      name: "the day after: one penalty day posted at the start of the day, left unpaid by the installment",
      payments: [pay("2025-02-16", "27170.27")],
      asOf: "2025-02-16",
      last: alloc("3177.08", "23993.19", "0.00"),
      period: { index: 0, status: "OVERDUE", penalty: "13.15" },
    },
    {
      name: "the day after, with the penalty: PAID",
      payments: [pay("2025-02-16", "27183.42")],
      asOf: "2025-02-17",
      last: alloc("3177.08", "23993.19", "13.15"),
      period: { index: 0, status: "PAID", penalty: "13.15" },
    },
    {
      name: "inside three grace days: no penalty, not OVERDUE",
      terms: loan("2025-01-15", 3),
      payments: [pay("2025-02-18", "27170.27")],
      asOf: "2025-02-18",
      last: alloc("3177.08", "23993.19", "0.00"),
      period: { index: 0, status: "PAID", penalty: "0.00" },
    },
    {
      name: "the first day after three grace days: one penalty day",
      terms: loan("2025-01-15", 3),
      payments: [pay("2025-02-19", "27170.27")],
      asOf: "2025-02-19",
      last: alloc("3177.08", "23993.19", "0.00"),
      period: { index: 0, status: "OVERDUE", penalty: "13.15" },
    },
    {
      name: "zero amount: nothing allocated, nothing changes",
      payments: [pay("2025-02-15", "0.00")],
      asOf: "2025-02-15",
      last: alloc("0.00", "0.00", "0.00"),
      period: { index: 0, status: "PENDING", penalty: "0.00" },
    },
    {
      name: "less than the interest: interest only, PARTIALLY_PAID",
      payments: [pay("2025-02-15", "1000.00")],
      asOf: "2025-02-15",
      last: alloc("1000.00", "0.00", "0.00"),
      period: { index: 0, status: "PARTIALLY_PAID", penalty: "0.00" },
    },
    {
      name: "two periods past due: both interests first, then the oldest principal (353-FZ order)",
      payments: [pay("2025-03-20", "6200.00")],
      asOf: "2025-03-20",
      last: alloc("6104.23", "95.77", "0.00"),
      // 33 late days on 23993.19 (02-16 … 03-20)
      period: { index: 0, status: "OVERDUE", penalty: "433.85" },
    },
    {
      name: "before the due date: waits as unapplied funds",
      payments: [pay("2025-02-10", "27170.27")],
      asOf: "2025-02-10",
      last: alloc("0.00", "0.00", "0.00", "27170.27"),
      period: { index: 0, status: "PENDING", penalty: "0.00" },
    },
    {
      name: "exactly the payoff: closed, nothing refunded",
      payments: [...onTime(), pay("2025-06-02", "208772.37")],
      asOf: "2025-06-02",
      last: alloc("1255.14", "207517.23", "0.00"),
      closed: true,
      refunded: "0.00",
    },
    {
      name: "the payoff on the disbursement day is the principal",
      payments: [pay("2025-01-15", "305000.00")],
      asOf: "2025-01-15",
      last: alloc("0.00", "305000.00", "0.00"),
      closed: true,
      refunded: "0.00",
    },
    {
      name: "one kopeck over the payoff: closed, 0.01 refunded",
      payments: [...onTime(), pay("2025-06-02", "208772.38", "EARLY_REPAYMENT")],
      asOf: "2025-06-02",
      last: alloc("1255.14", "207517.23", "0.00", "0.00", "0.01"),
      closed: true,
      refunded: "0.01",
    },
    {
      name: "one kopeck under the payoff: waits as early-repayment funds, the loan stays open",
      payments: [...onTime(), pay("2025-06-02", "208772.36", "EARLY_REPAYMENT")],
      asOf: "2025-06-02",
      last: alloc("0.00", "0.00", "0.00", "208772.36"),
      closed: false,
      refunded: "0.00",
    },
    {
      name: "a payment reaching a closed loan is refunded whole",
      payments: [pay("2025-01-15", "305000.00"), pay("2025-01-20", "100.00")],
      asOf: "2025-01-20",
      last: alloc("0.00", "0.00", "0.00", "0.00", "100.00"),
      closed: true,
      refunded: "100.00",
    },
  ];
  it.each(cases)("$name", ({ terms, payments, asOf, last, period, closed, refunded }) => {
    const s = computeLoanState(terms ?? loan(), payments, asOf);
    expect(s.payments.at(-1)!.onValueDate).toEqual(last);
    if (period) {
      expect(s.periods[period.index]).toMatchObject({ status: period.status, penalty: period.penalty });
    }
    if (closed !== undefined) expect(s.closed).toBe(closed);
    if (refunded !== undefined) expect(s.refunded).toBe(refunded);
  });
});

describe("penalty accrual at its edges", () => {
  const p1 = () => pay("2025-02-15", "27170.27");
  it.each([
    { name: "10 days in a 365-day year", terms: loan(), payments: [p1()], asOf: "2025-03-25", penalty: "132.84" },
    {
      name: "10 days in a leap year: /36600",
      terms: loan("2024-01-15"),
      payments: [pay("2024-02-15", "27170.27")],
      asOf: "2024-03-25",
      penalty: "132.48",
    },
    {
      // 6 days of 2024 at /36600 and 4 of 2025 at /36500, summed exactly, rounded once
      name: "across a year end: each day by its own year",
      terms: loan("2024-11-25"),
      payments: [],
      asOf: "2025-01-04",
      penalty: "131.25",
      index: 0,
    },
    {
      name: "the due date itself is no late day",
      terms: loan(),
      payments: [p1()],
      asOf: "2025-03-15",
      penalty: "0.00",
    },
  ])("$name", ({ terms, payments, asOf, penalty, index }) => {
    expect(computeLoanState(terms, payments, asOf).periods[index ?? 1]!.penalty).toBe(penalty);
  });

  it("the base falls with the principal paid: a half payment halves the next days' accrual", () => {
    // 5 days on 24243.12 (66.42), then 24243.12 − 12121.56 = 12121.56 from 03-21 on
    const paid = [p1(), pay("2025-03-20", "15048.71")];
    const s = computeLoanState(loan(), paid, "2025-03-25");
    // round((24243.12 · 5 + 12121.56 · 5) · 20 / 36500) = round(99.6292…)
    expect(s.periods[1]!.penalty).toBe("99.63");
    expect(s.periods[1]!.paidPenalty).toBe("0.00");
  });

  it("a payment learned late costs nothing: the penalty days after its value date are gone (§7)", () => {
    const seen = computeLoanState(loan(), [p1()], "2025-03-25");
    expect(seen.periods[1]!.penalty).toBe("132.84");
    // Valued 03-20 (5 late days, 66.42) but learned after 03-25: the recomputation drops days 6–10.
    const s = computeLoanState(loan(), [p1(), pay("2025-03-20", "27236.69")], "2025-03-25");
    expect(s.periods[1]).toMatchObject({
      status: "PAID",
      paidOn: "2025-03-20",
      penalty: "66.42",
      paidPenalty: "66.42",
    });
    expect(s.penaltyPostings.filter((x) => x.period === 2).at(-1)!.on).toBe("2025-03-20");
  });

  it("inside the grace days the period counts days past due but is not OVERDUE", () => {
    const s = computeLoanState(loan("2025-01-15", 3), [p1()], "2025-03-17");
    expect(s.delinquency).toEqual({ daysPastDue: 2, bucket: "DPD_1_30", oldestUnpaidDueDate: "2025-03-15" });
    expect(s.periods[1]!.status).toBe("PENDING");
    expect(s.balances.penaltyOutstanding).toBe("0.00");
  });

  it("the daily postings add up to the period's penalty (no drift)", () => {
    const s = computeLoanState(loan(), [p1()], "2025-06-30");
    for (const p of s.periods) {
      const posted = s.penaltyPostings.filter((x) => x.period === p.period).reduce((a, x) => a + Number(x.amount), 0);
      expect(posted.toFixed(2)).toBe(p.penalty);
    }
  });
});

describe("early repayment and the quote", () => {
  it("a partial early repayment on a due date applies at once", () => {
    const s = computeLoanState(
      loan(),
      [...onTime().slice(0, 2), pay("2025-04-15", "50000.00", "EARLY_REPAYMENT")],
      "2025-04-15",
    );
    expect(s.scheduleVersion).toBe(2);
    expect(s.versions[1]!.rows.slice(3, 5).map((r) => r.payment)).toEqual(["24499.69", "24499.69"]);
    expect(s.versions[1]!.rows[11]!.payment).toBe("24499.73");
  });

  it("early-repayment money left on the last due date is refunded, with no new schedule version", () => {
    const rows = loan().schedule;
    const payments = rows.map((r, i) =>
      pay(r.dueDate, i === 11 ? "27270.30" : r.payment, i === 11 ? "EARLY_REPAYMENT" : "REGULAR"),
    );
    const s = computeLoanState(loan(), payments, "2026-01-15");
    expect(s).toMatchObject({ closed: true, closedOn: "2026-01-15", scheduleVersion: 1, refunded: "100.00" });
  });

  it("a REGULAR surplus waits for the next due date and never rebuilds the schedule", () => {
    const s = computeLoanState(loan(), [pay("2025-02-15", "50000.00")], "2025-03-15");
    expect(s.scheduleVersion).toBe(1);
    // 50000.00 − 27170.27 = 22829.73 waits, then pays period 2's interest 2927.15 and 19902.58 of its principal
    expect(s.periods[1]).toMatchObject({
      status: "PARTIALLY_PAID",
      paidInterest: "2927.15",
      paidPrincipal: "19902.58",
    });
    expect(s.balances.unappliedFunds).toBe("0.00");
  });

  it("quotes the penalty projected to t and the ICMA accrual of the period t falls in", () => {
    const q = payoffQuote(loan(), [pay("2025-02-15", "27170.27")], "2025-03-20", "2025-03-25");
    // 281006.81 + period 2's 2927.15 + accrued_3(03-25) = round(256763.69 · 12.5 · 10 / (1200 · 31)) + 132.84
    expect(q.components).toEqual({
      principal: "281006.81",
      interest: "862.78",
      overdueInterest: "2927.15",
      penalty: "132.84",
      unappliedFunds: "0.00",
    });
    expect(q.amount).toBe("284929.58");
  });

  it("subtracts unapplied funds from the quote", () => {
    const q = payoffQuote(loan(), [pay("2025-01-20", "1000.00")], "2025-01-20");
    expect(q.components.unappliedFunds).toBe("1000.00");
    // 305000.00 + round(305000 · 12.5 · 5 / (1200 · 31)) = 512.43, less the 1000.00 waiting
    expect(q.components.interest).toBe("512.43");
    expect(q.amount).toBe("304512.43");
  });

  it.each([
    { date: "2025-03-19", reason: "BEFORE_BUSINESS_DATE" },
    { date: "2025-04-16", reason: "AFTER_NEXT_DUE_DATE" },
  ])("refuses a quote for $date on 2025-03-20: $reason", ({ date, reason }) => {
    const call = () => payoffQuote(loan(), [], "2025-03-20", date);
    expect(call).toThrow(QuoteNotAvailableError);
    expect(call).toThrow(expect.objectContaining({ reason }));
  });

  it("accepts the next due date itself, and after the last due date only the business date", () => {
    expect(payoffQuote(loan(), [], "2025-03-20", "2025-04-15").accrual?.daysElapsed).toBe(31);
    const late = payoffQuote(loan(), [], "2026-01-20");
    expect(late.accrual).toBeNull();
    expect(() => payoffQuote(loan(), [], "2026-01-20", "2026-01-21")).toThrow(QuoteNotAvailableError);
  });

  it("refuses a quote on a closed loan", () => {
    const call = () => payoffQuote(loan(), [pay("2025-01-15", "305000.00")], "2025-01-16");
    expect(call).toThrow(expect.objectContaining({ reason: "LOAN_CLOSED" }));
  });
});
