import { describe, expect, it } from "vitest";
import { backoffDelayMs, ceilingMs, expectedRetryWindowMs } from "../src/outbox/backoff.ts";
import { DEFAULT_RELAY_OPTIONS } from "../src/outbox/options.ts";

const policy = { baseDelayMs: 100, maxDelayMs: 2_000 };

describe("backoff with full jitter and a cap", () => {
  it.each([
    // attempts, random, expected delay
    [1, 0, 0],
    [1, 0.5, 50],
    [1, 0.999, 99],
    [2, 0.5, 100],
    [3, 0.5, 200],
    [4, 0.999, 799],
    [5, 0.999, 1_598],
    [6, 0.999, 1_998], // 3200 capped at 2000
    [7, 0.5, 1_000],
    [1_000, 0.999, 1_998], // 2^999 is Infinity; the cap still holds
    [0, 0.5, 50], // a count below one is treated as the first attempt
  ])("after %i failed attempt(s), random %f → %i ms", (attempts, random, expected) => {
    expect(backoffDelayMs(attempts, policy, () => random)).toBe(expected);
  });

  it.each([
    [1, 100],
    [2, 200],
    [5, 1_600],
    [6, 2_000],
    [60, 2_000],
  ])("the ceiling after %i attempt(s) is %i ms", (attempts, ceiling) => {
    expect(ceilingMs(attempts, policy)).toBe(ceiling);
  });

  it("stays within [0, ceiling) for any random draw", () => {
    for (let attempts = 1; attempts < 40; attempts++) {
      for (const r of [0, 1e-9, 0.25, 0.5, 0.75, 1 - 1e-12]) {
        const d = backoffDelayMs(attempts, policy, () => r);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(ceilingMs(attempts, policy));
        expect(Number.isInteger(d)).toBe(true);
      }
    }
  });

  it("with the defaults, retries for about a day before a row goes dead", () => {
    const hours = expectedRetryWindowMs(DEFAULT_RELAY_OPTIONS.maxAttempts, DEFAULT_RELAY_OPTIONS) / 3_600_000;
    expect(hours).toBeGreaterThan(22);
    expect(hours).toBeLessThan(26);
  });
});
