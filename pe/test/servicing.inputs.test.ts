import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addMonthsClamped } from "../src/calendar.ts";
import { buildSchedule } from "../src/schedules/schedule.ts";
import { addDays, dayNumber, daysBetween, fromDayNumber } from "../src/servicing/days.ts";
import { computeLoanState, type LoanTerms, type Payment, ServicingInputError } from "../src/servicing/index.ts";

describe("day arithmetic", () => {
  it("knows the epoch, leap days and century rules", () => {
    expect(dayNumber("1970-01-01")).toBe(0);
    expect(addDays("2024-02-28", 1)).toBe("2024-02-29");
    expect(addDays("2100-02-28", 1)).toBe("2100-03-01");
    expect(addDays("2000-02-28", 1)).toBe("2000-02-29");
    expect(addDays("2024-12-31", 1)).toBe("2025-01-01");
    expect(daysBetween("2025-05-15", "2025-06-15")).toBe(31);
  });

  it("round-trips every day, agrees with Date for modern years, and steps by one", () => {
    const date = fc.date({ min: new Date("0100-01-01"), max: new Date("9999-11-30"), noInvalidDate: true });
    fc.assert(
      fc.property(date, (d) => {
        const iso = d.toISOString().slice(0, 10);
        const n = dayNumber(iso);
        expect(fromDayNumber(n)).toBe(iso);
        expect(n).toBe(Math.floor(d.getTime() / 86_400_000));
        expect(dayNumber(addDays(iso, 1))).toBe(n + 1);
        expect(daysBetween(iso, addMonthsClamped(iso, 1))).toBeGreaterThanOrEqual(28);
      }),
    );
  });
});

describe("inputs that describe no loan", () => {
  const terms: LoanTerms = {
    schedule: buildSchedule({
      principal: "1000.00",
      annualRate: "10",
      termMonths: 3,
      amortization: "ANNUITY",
      startDate: "2025-01-15",
    }),
    disbursedOn: "2025-01-15",
    annualRate: "10",
    amortization: "ANNUITY",
    penaltyRate: "20",
    penaltyGraceDays: 0,
  };
  const p = (over: Partial<Payment>): Payment => ({
    id: "a",
    amount: "1.00",
    valueDate: "2025-02-01",
    purpose: "REGULAR",
    ...over,
  });
  it.each([
    { name: "a date before the disbursement", payments: [], asOf: "2025-01-14" },
    {
      name: "a payment valued before the disbursement",
      payments: [p({ valueDate: "2025-01-10" })],
      asOf: "2025-03-01",
    },
    { name: "a negative amount", payments: [p({ amount: "-1.00" })], asOf: "2025-03-01" },
    { name: "fractions of a kopeck", payments: [p({ amount: "1.005" })], asOf: "2025-03-01" },
    { name: "the same payment id twice", payments: [p({}), p({})], asOf: "2025-03-01" },
    { name: "no such date", payments: [p({ valueDate: "2025-02-30" })], asOf: "2025-03-01" },
  ])("refuses $name", ({ payments, asOf }) => {
    expect(() => computeLoanState(terms, payments, asOf)).toThrow(ServicingInputError);
  });

  it("leaves out payments valued after the date: they have not happened yet", () => {
    const later = computeLoanState(terms, [p({ valueDate: "2025-03-10" })], "2025-03-01");
    expect(later).toEqual(computeLoanState(terms, [], "2025-03-01"));
  });
});
