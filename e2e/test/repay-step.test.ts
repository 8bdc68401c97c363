import { describe, expect, it } from "vitest";
import type { Plan, PlanKind } from "../chaos/plans.ts";
import { type LoanView, type Memory, nextStep, type Period } from "../chaos/repay-step.ts";

// A three-period loan disbursed on 2025-01-10: 10 000.00 + 500.00 due on the 10th of each month.
const DISBURSED = "2025-01-10";
const DUE = ["2025-02-10", "2025-03-10", "2025-04-10"];

const plan = (kind: PlanKind, over: Partial<Plan> = {}): Plan => ({
  kind,
  lateDays: 0,
  leadDays: 0,
  earlyOnDay: 0,
  partialGapDays: 0,
  overpayKopecks: 0,
  failFirst: false,
  ...over,
});

type PeriodOver = Partial<Omit<Period, "period" | "dueDate">>;

function loan(today: string, periods: PeriodOver[] = [], balances: Partial<LoanView["balances"]> = {}): LoanView {
  return {
    status: "ACTIVE",
    businessDate: today,
    schedule: DUE.map((dueDate, i) => ({
      period: i + 1,
      dueDate,
      principal: "10000.00",
      interest: "500.00",
      paidPrincipal: "0.00",
      paidInterest: "0.00",
      status: "PENDING",
      ...periods[i],
    })),
    balances: { principalOutstanding: "30000.00", penaltyOutstanding: "0.00", unappliedFunds: "0.00", ...balances },
  };
}

const PAID: PeriodOver = { paidPrincipal: "10000.00", paidInterest: "500.00", status: "PAID" };
const fresh: Memory = { partlyPaid: new Map(), prepaid: false };

describe("a chaos client's next step", () => {
  it.each([
    [
      "ON_TIME waits for its day before the due date",
      plan("ON_TIME", { leadDays: 2 }),
      loan("2025-01-20"),
      { do: "wait", until: "2025-02-08" },
    ],
    [
      "ON_TIME pays the installment on its day",
      plan("ON_TIME", { leadDays: 2 }),
      loan("2025-02-08"),
      { do: "pay", amount: 1_050_000n, purpose: "REGULAR" },
    ],
    [
      "LATE waits past the due date",
      plan("LATE", { lateDays: 5 }),
      loan("2025-02-10"),
      { do: "wait", until: "2025-02-15" },
    ],
    [
      "LATE pays the installment and the penalty, less the funds waiting",
      plan("LATE", { lateDays: 5 }),
      loan("2025-02-15", [{ status: "OVERDUE" }], { penaltyOutstanding: "12.34", unappliedFunds: "2.34" }),
      { do: "pay", amount: 1_051_000n, purpose: "REGULAR" },
    ],
    [
      "the bill takes in an installment that fell due while the last payment was on its way",
      plan("ON_TIME"),
      loan("2025-03-12", [{ ...PAID, status: "OVERDUE" }, { status: "OVERDUE" }], { penaltyOutstanding: "7.00" }),
      { do: "pay", amount: 1_050_700n, purpose: "REGULAR" },
    ],
    [
      "PARTIAL pays half first and remembers the day",
      plan("PARTIAL", { partialGapDays: 4 }),
      loan("2025-02-10"),
      { do: "pay", amount: 525_000n, purpose: "REGULAR", remember: { halfOf: 1 } },
    ],
    [
      "the last installment carries the overpayment",
      plan("ON_TIME", { overpayKopecks: 999 }),
      loan("2025-04-10", [PAID, PAID]),
      { do: "pay", amount: 1_050_999n, purpose: "REGULAR" },
    ],
    [
      "everything paid, not closed yet: a day later",
      plan("ON_TIME"),
      loan("2025-04-10", [PAID, PAID, PAID]),
      { do: "wait", until: "2025-04-11" },
    ],
    [
      "funds already cover the bill: a day later",
      plan("ON_TIME"),
      loan("2025-02-10", [], { unappliedFunds: "10500.00" }),
      { do: "wait", until: "2025-02-11" },
    ],
    [
      "PREPAY pays 30 % of the principal on its day",
      plan("PREPAY", { earlyOnDay: 20 }),
      loan("2025-01-30"),
      { do: "pay", amount: 900_000n, purpose: "EARLY_REPAYMENT", remember: { prepaid: true } },
    ],
    [
      "LEFT_OPEN stops after a period is paid",
      plan("LEFT_OPEN"),
      loan("2025-02-11", [PAID]),
      { do: "end", outcome: "LEFT_OPEN" },
    ],
    [
      "a closed loan ends the life",
      plan("ON_TIME"),
      { ...loan("2025-04-10"), status: "CLOSED" },
      { do: "end", outcome: "CLOSED" },
    ],
  ] as const)("%s", (_, p, view, step) => {
    expect(nextStep(view, p, DISBURSED, fresh, null)).toEqual(step);
  });

  it("PARTIAL pays the rest after its gap, then whatever is left", () => {
    const p = plan("PARTIAL", { partialGapDays: 4 });
    const memory: Memory = { partlyPaid: new Map([[1, "2025-02-10"]]), prepaid: false };
    const half = loan("2025-02-12", [{ paidPrincipal: "4750.00", paidInterest: "500.00", status: "OVERDUE" }]);
    expect(nextStep(half, p, DISBURSED, memory, null)).toEqual({ do: "wait", until: "2025-02-14" });
    const due = { ...half, businessDate: "2025-02-14", balances: { ...half.balances, penaltyOutstanding: "3.00" } };
    expect(nextStep(due, p, DISBURSED, memory, null)).toEqual({ do: "pay", amount: 525_300n, purpose: "REGULAR" });
  });

  it("PAYOFF pays the quote with its overpayment, and waits for its day before that", () => {
    const p = plan("PAYOFF", { earlyOnDay: 10, overpayKopecks: 5 });
    expect(nextStep(loan("2025-01-15"), p, DISBURSED, fresh, null)).toEqual({ do: "wait", until: "2025-01-20" });
    expect(nextStep(loan("2025-01-20"), p, DISBURSED, fresh, "30123.45")).toEqual({
      do: "pay",
      amount: 3_012_350n,
      purpose: "EARLY_REPAYMENT",
    });
  });
});
