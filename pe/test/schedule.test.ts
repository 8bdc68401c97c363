import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addMonthsClamped, parseIsoDate } from "../src/calendar.ts";
import { type Amortization, buildSchedule } from "../src/schedules/schedule.ts";

type Row = [period: number, payment: string, principal: string, interest: string, balance: string];
const figures = (rows: ReturnType<typeof buildSchedule>): Row[] =>
  rows.map((r) => [r.period, r.payment, r.principal, r.interest, r.balance]);
const sum = (xs: string[]) => xs.reduce((a, x) => a + Math.round(Number(x) * 100), 0);

// Expected tables: SCHEDULE.md's worked example, and the rest cross-checked with Python's decimal module
// (ROUND_HALF_EVEN, 60 digits) running the same formulas.
const TABLES: Array<{ name: string; terms: Parameters<typeof buildSchedule>[0]; rows: Row[] }> = [
  {
    name: "SCHEDULE.md worked example: 10 000.00 at 90 % over 8 months",
    terms: { principal: "10000.00", annualRate: "90", termMonths: 8, amortization: "ANNUITY", startDate: "2024-01-15" },
    rows: [
      [1, "1707.27", "957.27", "750.00", "9042.73"],
      [2, "1707.27", "1029.07", "678.20", "8013.66"],
      [3, "1707.27", "1106.25", "601.02", "6907.41"],
      [4, "1707.27", "1189.21", "518.06", "5718.20"],
      [5, "1707.27", "1278.41", "428.86", "4439.79"],
      [6, "1707.27", "1374.29", "332.98", "3065.50"],
      [7, "1707.27", "1477.36", "229.91", "1588.14"],
      [8, "1707.25", "1588.14", "119.11", "0.00"],
    ],
  },
  {
    name: "contract example: 305 000.00 at 12.5 % over 12 months, annuity",
    terms: {
      principal: "305000.00",
      annualRate: "12.5",
      termMonths: 12,
      amortization: "ANNUITY",
      startDate: "2024-03-01",
    },
    rows: [
      [1, "27170.27", "23993.19", "3177.08", "281006.81"],
      [2, "27170.27", "24243.12", "2927.15", "256763.69"],
      [3, "27170.27", "24495.65", "2674.62", "232268.04"],
      [4, "27170.27", "24750.81", "2419.46", "207517.23"],
      [5, "27170.27", "25008.63", "2161.64", "182508.60"],
      [6, "27170.27", "25269.14", "1901.13", "157239.46"],
      [7, "27170.27", "25532.36", "1637.91", "131707.10"],
      [8, "27170.27", "25798.32", "1371.95", "105908.78"],
      [9, "27170.27", "26067.05", "1103.22", "79841.73"],
      [10, "27170.27", "26338.59", "831.68", "53503.14"],
      [11, "27170.27", "26612.95", "557.32", "26890.19"],
      [12, "27170.30", "26890.19", "280.11", "0.00"],
    ],
  },
  {
    name: "the same loan with equal principal",
    terms: {
      principal: "305000.00",
      annualRate: "12.5",
      termMonths: 12,
      amortization: "EQUAL_PRINCIPAL",
      startDate: "2024-03-01",
    },
    rows: [
      [1, "28593.75", "25416.67", "3177.08", "279583.33"],
      [2, "28329.00", "25416.67", "2912.33", "254166.66"],
      [3, "28064.24", "25416.67", "2647.57", "228749.99"],
      [4, "27799.48", "25416.67", "2382.81", "203333.32"],
      [5, "27534.73", "25416.67", "2118.06", "177916.65"],
      [6, "27269.97", "25416.67", "1853.30", "152499.98"],
      [7, "27005.21", "25416.67", "1588.54", "127083.31"],
      [8, "26740.45", "25416.67", "1323.78", "101666.64"],
      [9, "26475.70", "25416.67", "1059.03", "76249.97"],
      [10, "26210.94", "25416.67", "794.27", "50833.30"],
      [11, "25946.18", "25416.67", "529.51", "25416.63"],
      [12, "25681.39", "25416.63", "264.76", "0.00"],
    ],
  },
  {
    name: "zero rate, annuity: the last period takes the odd cent",
    terms: { principal: "1000.00", annualRate: "0", termMonths: 3, amortization: "ANNUITY", startDate: "2024-03-01" },
    rows: [
      [1, "333.33", "333.33", "0.00", "666.67"],
      [2, "333.33", "333.33", "0.00", "333.34"],
      [3, "333.34", "333.34", "0.00", "0.00"],
    ],
  },
  {
    name: "zero rate, equal principal",
    terms: {
      principal: "1000.00",
      annualRate: "0",
      termMonths: 3,
      amortization: "EQUAL_PRINCIPAL",
      startDate: "2024-03-01",
    },
    rows: [
      [1, "333.33", "333.33", "0.00", "666.67"],
      [2, "333.33", "333.33", "0.00", "333.34"],
      [3, "333.34", "333.34", "0.00", "0.00"],
    ],
  },
  {
    name: "one month, annuity",
    terms: { principal: "50000.00", annualRate: "8", termMonths: 1, amortization: "ANNUITY", startDate: "2024-03-01" },
    rows: [[1, "50333.33", "50000.00", "333.33", "0.00"]],
  },
  {
    name: "one month, equal principal",
    terms: {
      principal: "50000.00",
      annualRate: "8",
      termMonths: 1,
      amortization: "EQUAL_PRINCIPAL",
      startDate: "2024-03-01",
    },
    rows: [[1, "50333.33", "50000.00", "333.33", "0.00"]],
  },
];

describe("buildSchedule: exact tables", () => {
  it.each(TABLES)("$name", ({ terms, rows }) => {
    expect(figures(buildSchedule(terms))).toEqual(rows);
  });

  it.each<[Amortization, Row, Row, Row]>([
    [
      "ANNUITY",
      [1, "6322.22", "72.22", "6250.00", "499927.78"],
      [359, "6322.22", "6167.07", "155.15", "6244.93"],
      [360, "6322.99", "6244.93", "78.06", "0.00"],
    ],
    [
      "EQUAL_PRINCIPAL",
      [1, "7638.89", "1388.89", "6250.00", "498611.11"],
      [359, "1423.61", "1388.89", "34.72", "1388.49"],
      [360, "1405.85", "1388.49", "17.36", "0.00"],
    ],
  ])("360 months, %s: first and last rows to the cent", (amortization, first, beforeLast, last) => {
    const rows = figures(
      buildSchedule({
        principal: "500000.00",
        annualRate: "15",
        termMonths: 360,
        amortization,
        startDate: "2024-01-31",
      }),
    );
    expect(rows).toHaveLength(360);
    expect(rows[0]).toEqual(first);
    expect(rows[358]).toEqual(beforeLast);
    expect(rows[359]).toEqual(last);
    expect(sum(rows.map((r) => r[2]))).toBe(50_000_000);
  });

  it("rounds half-even, not half-up (period 5 of the worked example: 428.865 → 428.86)", () => {
    const rows = buildSchedule(TABLES[0]!.terms);
    expect(rows[4]?.interest).toBe("428.86");
  });

  it("never repays more than is left: 2.00 over 360 months at 0 % ends in zero payments, never a negative balance", () => {
    const rows = buildSchedule({
      principal: "2.00",
      annualRate: "0",
      termMonths: 360,
      amortization: "ANNUITY",
      startDate: "2024-01-01",
    });
    expect(rows[199]).toMatchObject({ period: 200, principal: "0.01", balance: "0.00" });
    expect(rows[200]).toMatchObject({ period: 201, payment: "0.00", principal: "0.00", balance: "0.00" });
    expect(rows.every((r) => Number(r.balance) >= 0)).toBe(true);
  });
});

describe("due dates: start date plus k months, counted from the start each time, clamped", () => {
  const dueDates = (startDate: string, termMonths: number) =>
    buildSchedule({ principal: "1000.00", annualRate: "10", termMonths, amortization: "ANNUITY", startDate }).map(
      (r) => r.dueDate,
    );

  it.each([
    ["2024-01-31", ["2024-02-29", "2024-03-31", "2024-04-30", "2024-05-31", "2024-06-30"]],
    ["2023-01-31", ["2023-02-28", "2023-03-31", "2023-04-30", "2023-05-31", "2023-06-30"]],
    ["2024-01-30", ["2024-02-29", "2024-03-30", "2024-04-30", "2024-05-30", "2024-06-30"]],
    ["2023-01-29", ["2023-02-28", "2023-03-29", "2023-04-29", "2023-05-29", "2023-06-29"]],
    ["2024-01-29", ["2024-02-29", "2024-03-29", "2024-04-29", "2024-05-29", "2024-06-29"]],
    ["2024-08-31", ["2024-09-30", "2024-10-31", "2024-11-30", "2024-12-31", "2025-01-31"]],
    ["2023-12-31", ["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30", "2024-05-31"]],
    ["2024-03-15", ["2024-04-15", "2024-05-15", "2024-06-15", "2024-07-15", "2024-08-15"]],
  ])("started %s", (start, expected) => {
    expect(dueDates(start, 5)).toEqual(expected);
  });

  it("a 360-month loan started on 29 February 2024 falls due on the 29th in leap Februaries only", () => {
    const dates = dueDates("2024-02-29", 360);
    expect(dates[11]).toBe("2025-02-28");
    expect(dates[47]).toBe("2028-02-29");
    expect(dates[12]).toBe("2025-03-29");
    expect(dates[359]).toBe("2054-02-28");
  });

  it("addMonthsClamped counts years below 100 as they are", () => {
    expect(addMonthsClamped("0099-12-31", 2)).toBe("0100-02-28");
  });

  it.each([
    ["2023-02-30", false],
    ["2024-02-29", true],
    ["2100-02-29", false],
    ["2000-02-29", true],
    ["2024-13-01", false],
    ["2024-00-10", false],
    ["2024-4-01", false],
    ["0000-01-01", false],
  ])("parseIsoDate(%s) is a real date: %s", (text, real) => {
    expect(parseIsoDate(text) !== null).toBe(real);
  });
});

describe("buildSchedule: properties", () => {
  const terms = fc.record({
    principal: fc.integer({ min: 1, max: 100_000_000_000 }).map((c) => (c / 100).toFixed(2)),
    annualRate: fc.integer({ min: 0, max: 9_999_999 }).map((bp) => String(bp / 10_000)),
    termMonths: fc.integer({ min: 1, max: 360 }),
    amortization: fc.constantFrom<Amortization>("ANNUITY", "EQUAL_PRINCIPAL"),
    startDate: fc
      .date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2099-12-31T00:00:00Z"), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10)),
  });

  it("principals add up to the principal, the last balance is 0.00, no figure is negative, all have two decimals", () => {
    fc.assert(
      fc.property(terms, (t) => {
        const rows = buildSchedule(t);
        expect(rows).toHaveLength(t.termMonths);
        expect(sum(rows.map((r) => r.principal))).toBe(Math.round(Number(t.principal) * 100));
        expect(rows.at(-1)?.balance).toBe("0.00");
        let balance = Math.round(Number(t.principal) * 100);
        for (const r of rows) {
          for (const v of [r.payment, r.principal, r.interest, r.balance]) {
            expect(v).toMatch(/^\d+\.\d{2}$/);
          }
          expect(sum([r.principal, r.interest])).toBe(sum([r.payment]));
          balance -= sum([r.principal]);
          expect(sum([r.balance])).toBe(balance);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("an annuity's installments are level except the last", () => {
    fc.assert(
      fc.property(terms, (t) => {
        const rows = buildSchedule({ ...t, amortization: "ANNUITY" });
        // Only a tiny loan over a long term stops early (its rounded installment pays it off ahead of time).
        const paidOffEarly = rows.slice(0, -1).some((r) => r.balance === "0.00");
        if (!paidOffEarly) expect(new Set(rows.slice(0, -1).map((r) => r.payment)).size).toBeLessThanOrEqual(1);
      }),
      { numRuns: 200 },
    );
  });

  it("due dates never go backwards and stay within the month k months after the start", () => {
    fc.assert(
      fc.property(terms, (t) => {
        const rows = buildSchedule({ ...t, termMonths: Math.min(t.termMonths, 48) });
        const [y, m, d] = t.startDate.split("-").map(Number) as [number, number, number];
        for (const r of rows) {
          const [ry, rm, rd] = r.dueDate.split("-").map(Number) as [number, number, number];
          expect(ry * 12 + rm).toBe(y * 12 + m + r.period);
          expect(rd).toBeLessThanOrEqual(d);
        }
      }),
      { numRuns: 200 },
    );
  });
});
