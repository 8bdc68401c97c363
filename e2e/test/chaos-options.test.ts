import { UsageError } from "@loans/shared/args";
import { describe, expect, it } from "vitest";
import { parseChaosArgs } from "../chaos/options.ts";

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
      agreements: 2000,
      minutes: 10,
      drop: 0.3,
      killEvery: 5,
      dbRestart: true,
      instances: 1,
      concurrency: 16,
      rate: 50,
      withdraw: 0.1,
      seed: 7,
      convergeSeconds: 300,
    });
    const o = parseChaosArgs([
      "--agreements=300",
      "--drop",
      "0",
      "--kill-every",
      "0",
      "--no-db-restart",
      "--instances=2",
    ]);
    expect(o).toMatchObject({ agreements: 300, drop: 0, killEvery: 0, dbRestart: false, instances: 2 });
  });

  it("refuses unknown flags and bad numbers with the flag's name; --help exits 0", () => {
    expect(refusal(["--agreement", "3"]).message).toMatch(/Unknown option '--agreement'/);
    expect(refusal(["--agreement", "3"]).exitCode).toBe(2);
    expect(refusal(["--drop", "abc"]).message).toMatch(/^--drop must be a number from 0 to 0.95, not "abc"/);
    expect(refusal(["--drop", "0.99"]).message).toMatch(/^--drop must be/);
    expect(refusal(["--instances", "1.5"]).message).toMatch(/^--instances must be a whole number/);
    expect(refusal(["--rate"]).message).toMatch(/--rate/);
    expect(refusal(["--help"]).exitCode).toBe(0);
  });
});
