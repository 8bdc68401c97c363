import { Decimal } from "decimal.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addMonthsClamped } from "../src/calendar.ts";
import { scheduleFlows } from "../src/psk/flows.ts";
import { computePsk, type PskInput, pskCheck, pskF, pskTerms, wholeMonths } from "../src/psk/psk.ts";
import { type Amortization, buildSchedule } from "../src/schedules/schedule.ts";
import { addDays } from "../src/servicing/days.ts";

const D = Decimal.clone({ precision: 50, rounding: Decimal.ROUND_HALF_EVEN });

/** A loan's input: its schedule's rows on their (nominal) due dates, unless other dates are given. */
function loan(
  t: { principal: string; fee: string; rate: string; months: number; start: string; amortization?: Amortization },
  dates?: string[],
): PskInput {
  const rows = buildSchedule({
    principal: new D(t.principal).plus(t.fee).toFixed(2),
    annualRate: t.rate,
    termMonths: t.months,
    amortization: t.amortization ?? "ANNUITY",
    startDate: t.start,
  });
  const flows = scheduleFlows(rows).map((f, i) => ({ ...f, date: dates?.[i] ?? f.date }));
  return { start: t.start, disbursementAmount: t.principal, flows };
}

const f = (input: PskInput) => pskF(new D(input.disbursementAmount), pskTerms(input));

const SECTION_6_1 = { principal: "300000.00", fee: "5000.00", rate: "12.5", months: 12, start: "2025-01-15" };
const SECTION_6_4 = { principal: "100000.00", fee: "0.00", rate: "15", months: 6, start: "2026-01-09" };
const MOVED_6_4 = ["2026-02-09", "2026-03-10", "2026-04-09", "2026-05-12", "2026-06-09", "2026-07-09"];

describe("PSK: EXCEPTIONS §6.1 and §6.4", () => {
  const cases: Array<{ name: string; input: PskInput; percent: string; amount: string; root?: [string, string] }> = [
    {
      name: "§6.1: 300 000.00 received, 12 × 27 170.27…",
      input: loan(SECTION_6_1),
      percent: "15.655",
      amount: "26043.27",
      root: ["0.013045652221", "0.013045652222"],
    },
    {
      name: "§6.1 indicative, dues on the 10th: the same",
      input: loan({ ...SECTION_6_1, start: "2025-01-10" }),
      percent: "15.655",
      amount: "26043.27",
    },
    {
      name: "§6.4 CL2.0 on the moved dates",
      input: loan(SECTION_6_4, MOVED_6_4),
      percent: "14.905",
      amount: "4420.28",
      root: ["0.0124204957671", "0.0124204957672"],
    },
    { name: "§6.4 under NONE", input: loan(SECTION_6_4), percent: "15.000", amount: "4420.28" },
  ];
  it.each(cases)("$name → $percent / $amount", ({ input, percent, amount, root }) => {
    expect(computePsk(input)).toEqual({ percent, amount });
    expect(pskCheck(input, percent)).toBe(true);
    if (root) {
      // i itself, to the digits the contract prints: f changes sign between them.
      expect(f(input)(root[0]).gt(0)).toBe(true);
      expect(f(input)(root[1]).lt(0)).toBe(true);
    }
  });

  it("§6.1's check: f(15.6545/1200) > 0 > f(15.6555/1200)", () => {
    const g = f(loan(SECTION_6_1));
    expect(g(new D("15.6545").div(1200)).gt(0)).toBe(true);
    expect(g(new D("15.6555").div(1200)).lt(0)).toBe(true);
  });

  it("§6.4's flows: q and the days of e on the moved dates", () => {
    expect(pskTerms(loan(SECTION_6_4, MOVED_6_4)).map((t) => [t.q, t.days])).toEqual([
      [1, 0],
      [2, 1],
      [3, 0],
      [4, 3],
      [5, 0],
      [6, 0],
    ]);
  });
});

/** The monthly IRR by Newton's method on Σ a_k (1+i)^−k = D, in 50 digits: nothing of psk.ts is used. */
function monthlyIrr(input: PskInput): Decimal {
  let i = new D("0.01");
  for (let n = 0; n < 100; n++) {
    let value = new D(input.disbursementAmount).neg();
    let slope = new D(0);
    input.flows.forEach((fl, k) => {
      value = value.plus(new D(fl.amount).div(i.plus(1).pow(k + 1)));
      slope = slope.minus(new D(fl.amount).mul(k + 1).div(i.plus(1).pow(k + 2)));
    });
    const step = value.div(slope);
    i = i.minus(step);
    if (step.abs().lt("1e-40")) break;
  }
  return i;
}

describe("PSK: every flow on an anniversary is 1200 × the monthly IRR", () => {
  const loans = [
    { principal: "500000.00", fee: "10000.00", rate: "9", months: 24, start: "2025-03-10" },
    { principal: "120000.00", fee: "2000.00", rate: "14.75", months: 36, start: "2024-01-31" },
    {
      principal: "80000.00",
      fee: "0.00",
      rate: "19.9",
      months: 60,
      start: "2025-08-29",
      amortization: "EQUAL_PRINCIPAL",
    },
    { principal: "50000.00", fee: "0.00", rate: "0", months: 3, start: "2025-05-05" },
  ] as const;
  it.each(loans)("$principal at $rate % over $months months from $start", (t) => {
    const input = loan(t);
    const expected = monthlyIrr(input).mul(1200).toDecimalPlaces(3, Decimal.ROUND_HALF_EVEN).toFixed(3);
    expect(computePsk(input).percent).toBe(expected === "-0.000" ? "0.000" : expected);
  });
});

describe("PSK: edges", () => {
  it("a zero-rate loan with no fee costs 0.000 and 0.00", () => {
    const input = loan({ principal: "60000.00", fee: "0.00", rate: "0", months: 12, start: "2025-02-28" });
    expect(computePsk(input)).toEqual({ percent: "0.000", amount: "0.00" });
    expect(pskCheck(input, "0.000")).toBe(true);
  });

  it("a zero-rate loan with a fee costs the fee (checked against Python's decimal)", () => {
    const flows = Array.from({ length: 10 }, (_, k) => ({
      date: addMonthsClamped("2025-01-15", k + 1),
      amount: "10000.00",
    }));
    const input = { start: "2025-01-15", disbursementAmount: "95000.00", flows };
    expect(computePsk(input)).toEqual({ percent: "11.324", amount: "5000.00" });
  });

  it("payments below the money received: 0.000, and a negative amount", () => {
    const input = {
      start: "2025-01-15",
      disbursementAmount: "1000.00",
      flows: [{ date: "2025-02-15", amount: "900.00" }],
    };
    expect(computePsk(input)).toEqual({ percent: "0.000", amount: "-100.00" });
  });

  it("irregular dates from a 31st (checked against Python's decimal)", () => {
    const input = {
      start: "2025-01-31",
      disbursementAmount: "100000.00",
      flows: [
        { date: "2025-03-03", amount: "35000.00" },
        { date: "2025-03-31", amount: "35000.00" },
        { date: "2025-05-12", amount: "20000.00" },
        { date: "2025-07-30", amount: "12000.00" },
        { date: "2025-12-31", amount: "4000.00" },
      ],
    };
    expect(pskTerms(input).map((t) => [t.q, t.days])).toEqual([
      [1, 3],
      [2, 0],
      [3, 12],
      [5, 30],
      [11, 0],
    ]);
    expect(computePsk(input)).toEqual({ percent: "26.120", amount: "6000.00" });
    expect(pskCheck(input, "26.120")).toBe(true);
    expect(pskCheck(input, "26.121")).toBe(false);
  });

  it.each([
    ["2025-01-31", "2025-02-27", 0],
    ["2025-01-31", "2025-02-28", 1],
    ["2024-01-31", "2024-02-29", 1],
    ["2025-01-31", "2025-03-30", 1],
    ["2025-01-31", "2025-03-31", 2],
    ["2025-03-31", "2025-04-30", 1],
    ["2025-12-15", "2026-01-14", 0],
    ["2025-12-15", "2026-01-15", 1],
    ["2025-01-15", "2025-01-15", 0],
  ])("whole months from %s to %s: %i", (start, date, q) => {
    expect(wholeMonths(start, date)).toBe(q);
  });

  it("a flow before the start is refused", () => {
    expect(() =>
      computePsk({ start: "2025-01-15", disbursementAmount: "1.00", flows: [{ date: "2025-01-14", amount: "2.00" }] }),
    ).toThrow(RangeError);
  });
});

/** §3.12's bisection exactly as written, from [0, hi]: psk.ts starts from a narrow bracket and must agree. */
function referencePercent(input: PskInput): string {
  const g = f(input);
  const r3 = (x: Decimal) => x.mul(1200).toDecimalPlaces(3, Decimal.ROUND_HALF_EVEN).toFixed(3);
  if (g(0).lte(0)) return "0.000";
  let [lo, hi] = [new D(0), new D(1)];
  while (g(hi).gt(0)) hi = hi.mul(2);
  while (!(hi.minus(lo).lt("1e-30") || (hi.minus(lo).lt("1e-12") && r3(lo) === r3(hi)))) {
    const mid = lo.plus(hi).div(2);
    if (g(mid).gt(0)) lo = mid;
    else hi = mid;
  }
  return r3(lo.plus(hi).div(2));
}

describe("PSK: properties", () => {
  const loanArb = fc.record({
    principal: fc.integer({ min: 1000_00, max: 3_000_000_00 }).map((c) => (c / 100).toFixed(2)),
    fee: fc.integer({ min: 0, max: 50_000_00 }).map((c) => (c / 100).toFixed(2)),
    rate: fc.integer({ min: 0, max: 99_9999 }).map((r) => new D(r).div(10000).toString()),
    months: fc.integer({ min: 1, max: 60 }),
    start: fc.integer({ min: 0, max: 3650 }).map((d) => addDays("2024-01-01", d)),
    amortization: fc.constantFrom<Amortization>("ANNUITY", "EQUAL_PRINCIPAL"),
  });
  // Due dates moved forward by up to three days, as a calendar does (never past the next period).
  const movedArb = loanArb.chain((t) =>
    fc.record({
      t: fc.constant(t),
      shifts: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: t.months, maxLength: t.months }),
    }),
  );

  it("the rounded percent passes §3.12's two-sided check and equals the plain bisection's", () => {
    fc.assert(
      fc.property(movedArb, ({ t, shifts }) => {
        const nominal = loan(t);
        const input = loan(
          t,
          nominal.flows.map((fl, k) => addDays(fl.date, shifts[k]!)),
        );
        const psk = computePsk(input);
        expect(pskCheck(input, psk.percent)).toBe(true);
        expect(psk.percent).toBe(referencePercent(input));
        // Moving a payment later never raises the cost: the ceiling's PSK under NONE bounds the shifted one.
        expect(new D(psk.percent).lte(computePsk(nominal).percent)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});
