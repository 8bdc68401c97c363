import { moneyInput, moneyText, rateInput } from "@loans/shared/money";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isoDate, plausibleDate } from "../src/fields.ts";

const payment = moneyText({ min: "0.01", max: "100000000.00" });
const cents = moneyText({ min: "0.01", max: "999999999999.99", exactCents: true });

// Every money and date field is built on these: none may throw, whatever text or value it is given.
const PARSERS = {
  payment,
  cents,
  moneyInput: moneyInput(),
  rateInput: rateInput(),
  isoDate: isoDate(),
  plausibleDate: plausibleDate(),
};

const HOSTILE = [
  "1.2.3",
  "\u0000",
  "94937b77-88cb-431a-9c64-ae4a7400b2b5",
  "",
  " ",
  "NaN",
  "Infinity",
  "-Infinity",
  "1e309",
  "0x10",
  "1_000",
  "٣٠٠",
  "9".repeat(10_000),
  "1.".repeat(5_000),
  "2025-02-30",
  "0000-01-01",
  "9999-99-99",
  "2025-1-1",
];

describe("the shared money and date parsers", () => {
  it.each(Object.entries(PARSERS))("%s refuses hostile text with an issue, never a throw", (_name, schema) => {
    for (const text of HOSTILE) expect(schema.safeParse(text).success, JSON.stringify(text.slice(0, 20))).toBe(false);
  });

  it("never throws on any value (property)", () => {
    const value = fc.oneof(
      fc.string(),
      fc.string({ unit: "binary" }),
      fc.stringMatching(/^-?[0-9.eE+-]{0,30}$/),
      fc.anything(),
      fc.double(),
    );
    fc.assert(
      fc.property(value, (v) => {
        for (const schema of Object.values(PARSERS)) schema.safeParse(v);
      }),
      { seed: 31, numRuns: 2_000 },
    );
  });

  it.each([
    ["10.5", "10.50"],
    ["0.01", "0.01"],
    ["100000000", "100000000.00"],
    ["100000000.01", null],
    ["0", null],
    ["0.00", null],
    ["-1", null],
    ["1.234", null],
    [10.5, null],
  ])("a payment amount %j reads %j", (input, expected) => {
    const r = payment.safeParse(input);
    expect(r.success ? r.data : null).toBe(expected);
  });

  it("cents need exactly two decimals", () => {
    expect(cents.safeParse("27170.27").data).toBe("27170.27");
    expect(cents.safeParse("27170.2").success).toBe(false);
  });

  it.each([
    ["2024-02-29", true],
    ["2023-02-29", false],
    ["0001-01-01", true],
    ["0000-01-01", false],
    ["9999-12-31", true],
  ])("the date %s is a calendar date: %s", (date, ok) => {
    expect(isoDate().safeParse(date).success).toBe(ok);
  });
});
