import { Dec } from "@loans/shared/money";
import { describe, expect, it } from "vitest";
import { buildSchedule } from "../src/schedules/schedule.ts";
import { computeLoanState, type LoanTerms, type Payment, payoffQuote } from "../src/servicing/index.ts";

// LIFECYCLE §5: CL1.0, 305 000.00 at 12.5 % over 12 months, disbursed 2025-01-15, every figure it gives.
const schedule = buildSchedule({
  principal: "305000.00",
  annualRate: "12.5",
  termMonths: 12,
  amortization: "ANNUITY",
  startDate: "2025-01-15",
});
const terms = (penaltyGraceDays = 0): LoanTerms => ({
  schedule,
  disbursedOn: "2025-01-15",
  annualRate: "12.5",
  amortization: "ANNUITY",
  penaltyRate: "20",
  penaltyGraceDays,
});
const pay = (id: string, valueDate: string, amount: string, purpose: Payment["purpose"] = "REGULAR"): Payment => ({
  id,
  valueDate,
  amount,
  purpose,
});
const p1 = pay("p1", "2025-02-15", "27170.27");
const p2 = pay("p2", "2025-03-25", "27303.11");
const p3 = pay("p3", "2025-04-15", "27170.27");
const p4 = pay("p4", "2025-05-15", "27170.27");
const p5 = pay("p5", "2025-06-02", "208772.37", "EARLY_REPAYMENT");
const all = [p1, p2, p3, p4, p5];
const sumOf = (xs: string[]) => xs.reduce((a, x) => a.plus(x), new Dec(0)).toFixed(2);
const round = (x: Dec) => x.toDecimalPlaces(2, Dec.ROUND_HALF_EVEN);

describe("§5 worked example", () => {
  it("the re-anchored schedule: dues on the 15th, A = 27170.27, Σ principal 305000.00, Σ interest 21043.27", () => {
    const s = computeLoanState(terms(), [], "2025-01-15");
    expect(s.periods.map((p) => [p.dueDate, p.payment, p.principal, p.interest, p.balance])).toEqual([
      ["2025-02-15", "27170.27", "23993.19", "3177.08", "281006.81"],
      ["2025-03-15", "27170.27", "24243.12", "2927.15", "256763.69"],
      ["2025-04-15", "27170.27", "24495.65", "2674.62", "232268.04"],
      ["2025-05-15", "27170.27", "24750.81", "2419.46", "207517.23"],
      ["2025-06-15", "27170.27", "25008.63", "2161.64", "182508.60"],
      ["2025-07-15", "27170.27", "25269.14", "1901.13", "157239.46"],
      ["2025-08-15", "27170.27", "25532.36", "1637.91", "131707.10"],
      ["2025-09-15", "27170.27", "25798.32", "1371.95", "105908.78"],
      ["2025-10-15", "27170.27", "26067.05", "1103.22", "79841.73"],
      ["2025-11-15", "27170.27", "26338.59", "831.68", "53503.14"],
      ["2025-12-15", "27170.27", "26612.95", "557.32", "26890.19"],
      ["2026-01-15", "27170.30", "26890.19", "280.11", "0.00"],
    ]);
    expect(sumOf(s.periods.map((p) => p.principal))).toBe("305000.00");
    expect(sumOf(s.periods.map((p) => p.interest))).toBe("21043.27");
    expect(s.periods.every((p) => p.status === "PENDING")).toBe(true);
    expect(payoffQuote(terms(), [], "2025-01-15").amount).toBe("305000.00");
  });

  it("step 1: the on-time payment pays interest then principal of period 1", () => {
    const s = computeLoanState(terms(), [p1], "2025-02-15");
    expect(s.payments[0]!.onValueDate).toEqual({
      interest: "3177.08",
      principal: "23993.19",
      penalty: "0.00",
      unapplied: "0.00",
      refunded: "0.00",
    });
    expect(s.periods[0]).toMatchObject({ status: "PAID", paidOn: "2025-02-15", paidInterest: "3177.08" });
  });

  it("step 2: ten late days, cumulative rounding, the state on 03-25 before the payment", () => {
    const s = computeLoanState(terms(), [p1], "2025-03-25");
    const postings = s.penaltyPostings.map((p) => [p.on, p.amount]);
    expect(postings).toEqual([
      ["2025-03-16", "13.28"],
      ["2025-03-17", "13.29"],
      ["2025-03-18", "13.28"],
      ["2025-03-19", "13.29"],
      ["2025-03-20", "13.28"],
      ["2025-03-21", "13.28"],
      ["2025-03-22", "13.29"],
      ["2025-03-23", "13.28"],
      ["2025-03-24", "13.29"],
      ["2025-03-25", "13.28"],
    ]);
    expect(s.periods[1]).toMatchObject({ status: "OVERDUE", penalty: "132.84", paidPenalty: "0.00", paidOn: null });
    expect(s.balances).toEqual({
      principalOutstanding: "281006.81",
      principalOverdue: "24243.12",
      interestOverdue: "2927.15",
      penaltyOutstanding: "132.84",
      unappliedFunds: "0.00",
      totalDue: "27303.11",
    });
    expect(s.delinquency).toEqual({ daysPastDue: 10, bucket: "DPD_1_30", oldestUnpaidDueDate: "2025-03-15" });
    expect(s.currentPayment).toBe("27170.27");
  });

  it("step 2: the contrasts the section draws — one day 13.283901…, daily rounding would drift to 132.80", () => {
    const day = new Dec("24243.12").mul(20).div(36500);
    expect(day.toFixed(6, Dec.ROUND_DOWN)).toBe("13.283901");
    expect(round(day.mul(10)).toFixed(2)).toBe("132.84");
    expect(round(day).mul(10).toFixed(2)).toBe("132.80");
  });

  it("step 2: the late payment pays overdue interest, overdue principal, penalty; no penalty for 03-26", () => {
    const s = computeLoanState(terms(), [p1, p2], "2025-03-26");
    expect(s.payments[1]!.onValueDate).toEqual({
      interest: "2927.15",
      principal: "24243.12",
      penalty: "132.84",
      unapplied: "0.00",
      refunded: "0.00",
    });
    expect(s.periods[1]).toMatchObject({ status: "PAID", paidOn: "2025-03-25", penalty: "132.84" });
    expect(s.penaltyPostings.filter((p) => p.on === "2025-03-26")).toEqual([]);
  });

  it("step 2: with three grace days it is seven penalty days, 92.99", () => {
    const s = computeLoanState(terms(3), [p1], "2025-03-25");
    expect(s.periods[1]!.penalty).toBe("92.99");
    expect(computeLoanState(terms(3), [p1], "2025-03-18").periods[1]!.status).toBe("PENDING");
    expect(computeLoanState(terms(3), [p1], "2025-03-19").periods[1]!.status).toBe("OVERDUE");
  });

  it("step 2: paying only 27170.27 leaves the penalty unpaid and the period OVERDUE", () => {
    const s = computeLoanState(terms(), [p1, pay("short", "2025-03-25", "27170.27")], "2025-03-25");
    expect(s.payments[1]!.onValueDate).toMatchObject({ interest: "2927.15", principal: "24243.12", penalty: "0.00" });
    expect(s.periods[1]).toMatchObject({ status: "OVERDUE", paidPenalty: "0.00" });
    expect(s.closed).toBe(false);
  });

  it("step 3: periods 3 and 4 paid, balance 207517.23", () => {
    const s = computeLoanState(terms(), [p1, p2, p3, p4], "2025-05-15");
    expect(s.periods.slice(0, 4).map((p) => p.status)).toEqual(["PAID", "PAID", "PAID", "PAID"]);
    expect(s.balances.principalOutstanding).toBe("207517.23");
  });

  it("step 4: the quote on 2025-06-02 is 208772.37 (ICMA, 18 of 31 days)", () => {
    const q = payoffQuote(terms(), [p1, p2, p3, p4], "2025-06-02");
    expect(q).toEqual({
      date: "2025-06-02",
      amount: "208772.37",
      components: {
        principal: "207517.23",
        interest: "1255.14",
        overdueInterest: "0.00",
        penalty: "0.00",
        unappliedFunds: "0.00",
      },
      accrual: {
        period: 5,
        from: "2025-05-15",
        to: "2025-06-15",
        daysElapsed: 18,
        daysInPeriod: 31,
        openingBalance: "207517.23",
        convention: "ACT_ACT_ICMA",
      },
    });
    // At 31/31 the accrual is the scheduled interest of period 5.
    expect(payoffQuote(terms(), [p1, p2, p3, p4], "2025-06-02", "2025-06-15").components.interest).toBe("2161.64");
  });

  it("step 4: the contrasts — actual/365 would give 1279.22, 30/360 (17 days) 1224.93", () => {
    const b = new Dec("207517.23");
    expect(round(b.mul("12.5").mul(18).div(36500)).toFixed(2)).toBe("1279.22");
    expect(round(b.mul("12.5").mul(17).div(36000)).toFixed(2)).toBe("1224.93");
  });

  it("step 4: the payoff closes the loan on 06-02, schedule version 2", () => {
    const s = computeLoanState(terms(), all, "2025-06-02");
    expect(s.payments[4]!.onValueDate).toEqual({
      interest: "1255.14",
      principal: "207517.23",
      penalty: "0.00",
      unapplied: "0.00",
      refunded: "0.00",
    });
    expect(s).toMatchObject({ closed: true, closedOn: "2025-06-02", scheduleVersion: 2, refunded: "0.00" });
    const v2 = s.versions[1]!;
    expect(v2.effectiveOn).toBe("2025-06-02");
    expect(v2.rows[4]).toMatchObject({ principal: "25008.63", interest: "1255.14" });
    expect(v2.rows.slice(5).map((r) => r.interest)).toEqual(Array(7).fill("0.00"));
    expect(s.periods.every((p) => p.status === "PAID" && p.paidOn !== null)).toBe(true);
  });

  it("step 5: paid 317586.29 = principal 305000.00 + interest 12453.45 + penalty 132.84; saves 8589.82", () => {
    const s = computeLoanState(terms(), all, "2025-07-01");
    expect(sumOf(s.payments.map((p) => p.amount))).toBe("317586.29");
    expect(sumOf(s.periods.map((p) => p.paidPrincipal))).toBe("305000.00");
    expect(sumOf(s.periods.map((p) => p.paidInterest))).toBe("12453.45");
    expect(s.periods.slice(0, 5).map((p) => p.paidInterest)).toEqual([
      "3177.08",
      "2927.15",
      "2674.62",
      "2419.46",
      "1255.14",
    ]);
    expect(sumOf(s.periods.map((p) => p.paidPenalty))).toBe("132.84");
    expect(s.refunded).toBe("0.00");
    const remaining = sumOf(schedule.slice(4).map((r) => r.payment));
    expect(remaining).toBe("217362.19");
    expect(new Dec(remaining).minus("208772.37").toFixed(2)).toBe("8589.82");
  });

  it("variant: 50 000.00 early on 04-02 waits, pays installment 3 on 04-15 and cuts the payment to 24499.69", () => {
    const early = pay("e", "2025-04-02", "50000.00", "EARLY_REPAYMENT");
    const before = computeLoanState(terms(), [p1, p2, early], "2025-04-14");
    expect(before.balances.unappliedFunds).toBe("50000.00");
    expect(before.scheduleVersion).toBe(1);
    const s = computeLoanState(terms(), [p1, p2, early], "2025-04-15");
    expect(s.scheduleVersion).toBe(2);
    expect(s.periods[2]).toMatchObject({ status: "PAID", paidOn: "2025-04-15", balance: "209438.31" });
    expect(s.balances).toMatchObject({ principalOutstanding: "209438.31", unappliedFunds: "0.00" });
    expect(s.payments[2]!.total).toEqual({
      interest: "2674.62",
      principal: "47325.38", // 24495.65 of installment 3 + 22829.73 prepaid
      penalty: "0.00",
      unapplied: "0.00",
      refunded: "0.00",
    });
    const tail = s.versions[1]!.rows.slice(3);
    expect(tail.map((r) => r.dueDate)).toEqual(schedule.slice(3).map((r) => r.dueDate));
    expect(tail.slice(0, 8).map((r) => r.payment)).toEqual(Array(8).fill("24499.69"));
    expect(tail[8]!.payment).toBe("24499.73");
    expect(s.versions[1]!.rows[2]).toMatchObject({ payment: "50000.00", principal: "47325.38", balance: "209438.31" });
    expect(s.currentPayment).toBe("24499.69");
  });
});
