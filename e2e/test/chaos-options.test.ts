import { UsageError } from "@loans/shared/args";
import { describe, expect, it } from "vitest";
import { parseChaosArgs } from "../chaos/options.ts";
import { drawPlan } from "../chaos/plans.ts";
import { random } from "../kit/requests.ts";

const refusal = (argv: string[]) => {
  try {
    parseChaosArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
  throw new Error("not refused");
};

describe("pnpm chaos's arguments", () => {
  it("takes its defaults and both spellings of a value", () => {
    const d = parseChaosArgs(["--seed", "7"]);
    expect(d).toEqual({
      loans: 2000,
      minutes: 30,
      drop: 0.3,
      killEvery: 5,
      dbRestart: true,
      instances: 1,
      rate: 20,
      withdraw: 0.05,
      bankFailureRate: 0.02,
      bankErrorRate: 0.2,
      bankLatency: "10-100",
      daysPerSecond: 4,
      start: "2025-01-10",
      maxDays: 400,
      sample: 50,
      seed: 7,
      convergeSeconds: 300,
    });
    const o = parseChaosArgs([
      "--loans=300",
      "--drop",
      "0",
      "--kill-every",
      "0",
      "--no-db-restart",
      "--instances=2",
      "--bank-error-rate",
      "0.3",
      "--bank-latency-ms=0",
      "--days-per-second",
      "2.5",
    ]);
    expect(o).toMatchObject({
      loans: 300,
      drop: 0,
      killEvery: 0,
      dbRestart: false,
      instances: 2,
      bankErrorRate: 0.3,
      bankLatency: "0",
      daysPerSecond: 2.5,
    });
  });

  it("refuses unknown flags and bad values with the flag's name; --help exits 0 and documents them", () => {
    expect(refusal(["--loan", "3"]).message).toMatch(/Unknown option '--loan'/);
    expect(refusal(["--loan", "3"]).exitCode).toBe(2);
    expect(refusal(["--drop", "abc"]).message).toMatch(/^--drop must be a number from 0 to 0.95, not "abc"/);
    expect(refusal(["--drop", "0.99"]).message).toMatch(/^--drop must be/);
    expect(refusal(["--instances", "1.5"]).message).toMatch(/^--instances must be a whole number/);
    expect(refusal(["--bank-error-rate", "2"]).message).toMatch(/^--bank-error-rate must be/);
    expect(refusal(["--bank-latency-ms", "fast"]).message).toMatch(/^--bank-latency-ms must be milliseconds/);
    expect(refusal(["--start", "2025-13-40"]).message).toMatch(/^--start must be a date/);
    expect(refusal(["--rate"]).message).toMatch(/--rate/);
    const help = refusal(["--help"]);
    expect(help.exitCode).toBe(0);
    for (const flag of ["--loans", "--bank-error-rate", "--bank-failure-rate", "--days-per-second", "--sample"])
      expect(help.message).toContain(flag);
  });
});

describe("the lives' plans", () => {
  it("are the seed's: the same seed draws the same plans, and every kind comes up", () => {
    const draw = (seed: number) =>
      Array.from(
        { length: 2000 },
        (
          (rnd) => () =>
            drawPlan(rnd, 0.05)
        )(random(seed)),
      );
    expect(draw(3)).toEqual(draw(3));
    const kinds = new Map<string, number>();
    for (const p of draw(3)) kinds.set(p.kind, (kinds.get(p.kind) ?? 0) + 1);
    expect([...kinds.keys()].sort()).toEqual(
      ["DISBURSEMENT_FAILS", "LATE", "LEFT_OPEN", "ON_TIME", "PARTIAL", "PAYOFF", "PREPAY", "WITHDRAW"].sort(),
    );
    expect(kinds.get("WITHDRAW")! / 2000).toBeCloseTo(0.05, 1);
    for (const p of draw(3)) {
      if (p.kind === "LATE") expect(p.lateDays).toBeGreaterThanOrEqual(1);
      else expect(p.lateDays).toBe(0);
      if (p.kind === "WITHDRAW" || p.kind === "DISBURSEMENT_FAILS")
        expect(p.failFirst || p.overpayKopecks > 0).toBe(false);
    }
  });
});
