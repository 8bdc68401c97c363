import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ageOn, type ScoringInput, type ScoringThresholds, score } from "../src/scoring/rules.ts";

const thresholds: ScoringThresholds = { minAge: 18, maxAgeAtEnd: 70, maxPtiPercent: "50" };

// Approved as it stands: 34 on the application date, 35 at the end, payments at 20 % of the income.
const base: ScoringInput = {
  birthDate: "1990-05-17",
  applicationDate: "2024-06-01",
  lastDueDate: "2025-06-01",
  monthlyIncome: "100000.00",
  monthlyPayment: "20000.00",
  otherMonthlyPayments: [],
};

const codes = (input: Partial<ScoringInput>, t = thresholds) =>
  score({ ...base, ...input }, t).reasons.map((r) => r.code);

describe("ageOn: completed years", () => {
  it.each([
    ["1990-05-17", "2024-05-16", 33],
    ["1990-05-17", "2024-05-17", 34],
    ["1990-05-17", "1990-05-17", 0],
    ["1990-05-17", "1990-05-16", -1],
    // 29 February: the year completes on 1 March in common years, on 29 February in leap years.
    ["2008-02-29", "2026-02-28", 17],
    ["2008-02-29", "2026-03-01", 18],
    ["2008-02-29", "2028-02-28", 19],
    ["2008-02-29", "2028-02-29", 20],
    // Born on 28 February, the leap day changes nothing.
    ["2006-02-28", "2024-02-28", 18],
    ["2006-02-28", "2024-02-27", 17],
  ])("born %s, on %s: %i", (birth, on, expected) => {
    expect(ageOn(birth, on)).toBe(expected);
  });
});

describe("AGE", () => {
  it.each([
    ["the 18th birthday on the application date", { birthDate: "2006-06-01" }, []],
    ["the day before the 18th birthday", { birthDate: "2006-06-02" }, ["AGE"]],
    ["born after the application date", { birthDate: "2024-06-02" }, ["AGE"]],
    ["the 70th birthday on the last due date", { birthDate: "1955-06-01" }, []],
    ["the day before the 71st birthday on the last due date", { birthDate: "1954-06-02" }, []],
    ["the 71st birthday on the last due date", { birthDate: "1954-06-01" }, ["AGE"]],
    [
      "born 29 February, application on 28 February of the 18th (common) year",
      { birthDate: "2004-02-29", applicationDate: "2022-02-28", lastDueDate: "2023-02-28" },
      ["AGE"],
    ],
    [
      "born 29 February, application on 1 March of the 18th (common) year",
      { birthDate: "2004-02-29", applicationDate: "2022-03-01", lastDueDate: "2023-03-01" },
      [],
    ],
    [
      "born 29 February, last due date 28 February of the 71st (common) year",
      { birthDate: "1952-02-29", applicationDate: "2022-01-10", lastDueDate: "2023-02-28" },
      [],
    ],
    [
      "born 29 February, last due date 1 March of the 71st (common) year",
      { birthDate: "1952-02-29", applicationDate: "2022-01-10", lastDueDate: "2023-03-01" },
      ["AGE"],
    ],
  ] as const)("%s → %j", (_name, input, expected) => {
    expect(codes(input)).toEqual(expected);
  });

  it("says which end of the age range is broken, both when both are", () => {
    const young = score({ ...base, birthDate: "2006-06-02" }, thresholds).reasons[0]?.message;
    expect(young).toBe("client is 17 on the application date 2024-06-01, under the minimum age 18");
    const old = score({ ...base, birthDate: "1954-06-01" }, thresholds).reasons[0]?.message;
    expect(old).toBe("client is 71 on the last due date 2025-06-01, over the maximum age 70");
    const both = score(
      { ...base, birthDate: "2006-06-02", lastDueDate: "2030-06-02" },
      { ...thresholds, maxAgeAtEnd: 20 },
    );
    expect(both.reasons).toEqual([
      {
        code: "AGE",
        message:
          "client is 17 on the application date 2024-06-01, under the minimum age 18; " +
          "client is 24 on the last due date 2030-06-02, over the maximum age 20",
      },
    ]);
  });
});

describe("PAYMENT_TO_INCOME", () => {
  it.each([
    ["exactly 50 %", { monthlyPayment: "50000.00" }, []],
    ["a cent over 50 %", { monthlyPayment: "50000.01" }, ["PAYMENT_TO_INCOME"]],
    ["exactly 50 % with other approved loans", { otherMonthlyPayments: ["20000.00", "10000.00"] }, []],
    [
      "a cent over with other approved loans",
      { otherMonthlyPayments: ["20000.00", "10000.01"] },
      ["PAYMENT_TO_INCOME"],
    ],
    ["no income", { monthlyIncome: "0.00", monthlyPayment: "0.01" }, ["PAYMENT_TO_INCOME"]],
    ["no income and nothing to pay", { monthlyIncome: "0.00", monthlyPayment: "0.00" }, ["PAYMENT_TO_INCOME"]],
    // 0.10 + 0.05 is 0.15000000000000002 in binary floating point, which would exceed 0.15.
    ["decimal sums, not floats", { monthlyIncome: "0.30", monthlyPayment: "0.10", otherMonthlyPayments: ["0.05"] }, []],
    ["half a cent of headroom", { monthlyIncome: "0.03", monthlyPayment: "0.01" }, []],
    ["half a cent over", { monthlyIncome: "0.03", monthlyPayment: "0.02" }, ["PAYMENT_TO_INCOME"]],
  ] as const)("%s → %j", (_name, input, expected) => {
    expect(codes(input)).toEqual(expected);
  });

  it("takes the limit from the thresholds, with decimals", () => {
    const t = { ...thresholds, maxPtiPercent: "33.3333" };
    expect(codes({ monthlyPayment: "33333.30" }, t)).toEqual([]);
    expect(codes({ monthlyPayment: "33333.31" }, t)).toEqual(["PAYMENT_TO_INCOME"]);
  });

  it("says what exceeds what", () => {
    const alone = score({ ...base, monthlyIncome: "50000.00", monthlyPayment: "30000.00" }, thresholds);
    expect(alone.reasons[0]?.message).toBe("payments 30000.00 exceed 50% of income 50000.00");
    const together = score(
      { ...base, monthlyIncome: "50000", monthlyPayment: "20000", otherMonthlyPayments: ["10000"] },
      thresholds,
    );
    expect(together.reasons[0]?.message).toBe(
      "payments 30000.00 (this loan 20000.00, other approved loans 10000.00) exceed 50% of income 50000.00",
    );
    const none = score({ ...base, monthlyIncome: "0" }, thresholds);
    expect(none.reasons[0]?.message).toBe("payments 20000.00 cannot be paid from income 0.00");
  });

  it("agrees with integer arithmetic in cents", () => {
    const cents = (c: bigint) => `${c / 100n}.${String(c % 100n).padStart(2, "0")}`;
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 100_000_000_00n }),
        fc.bigInt({ min: 1n, max: 100_000_000_00n }),
        fc.array(fc.bigInt({ min: 1n, max: 10_000_000_00n }), { maxLength: 4 }),
        fc.integer({ min: 0, max: 100 }),
        (income, payment, others, percent) => {
          const total = others.reduce((a, b) => a + b, payment);
          const passes = income > 0n && total * 100n <= income * BigInt(percent);
          const got = codes(
            { monthlyIncome: cents(income), monthlyPayment: cents(payment), otherMonthlyPayments: others.map(cents) },
            { ...thresholds, maxPtiPercent: String(percent) },
          );
          expect(got).toEqual(passes ? [] : ["PAYMENT_TO_INCOME"]);
        },
      ),
    );
  });
});

describe("the decision", () => {
  it("approves with no reasons when every rule passes", () => {
    expect(score(base, thresholds)).toEqual({ result: "APPROVED", reasons: [] });
  });

  it("reports every failing rule together, in rule order", () => {
    const d = score({ ...base, birthDate: "2006-06-02", monthlyIncome: "0.00" }, thresholds);
    expect(d.result).toBe("REJECTED");
    expect(d.reasons.map((r) => r.code)).toEqual(["AGE", "PAYMENT_TO_INCOME"]);
    for (const r of d.reasons) expect(r.message).not.toBe("");
  });
});
