import { UsageError } from "@loans/shared/args";
import { describe, expect, it } from "vitest";
import { parseBenchArgs } from "../options.ts";

const refusal = (argv: string[]) => {
  try {
    parseBenchArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
  throw new Error("not refused");
};

describe("pnpm bench's arguments", () => {
  it("defaults, --quick, and --duration 120 read the same as --duration=120", () => {
    const full = parseBenchArgs([]);
    expect(full).toMatchObject({ quick: false, relayOnly: false, yardstick: { seconds: 10 }, yardstickOnly: false });
    expect(full.plan).toMatchObject({ maxSeconds: 60, concurrency: 8, drainN: 100_000, direct: true });
    expect(parseBenchArgs(["--quick"]).plan).toMatchObject({ maxSeconds: 8, drainN: 10_000, latencySeconds: 5 });
    expect(parseBenchArgs(["--duration", "120"]).plan.maxSeconds).toBe(120);
    expect(parseBenchArgs(["--duration=120"]).plan.maxSeconds).toBe(120);
    const all = parseBenchArgs(["--quick", "--concurrency", "16", "--proxy", "--relay-only", "--statements"]);
    expect(all).toMatchObject({ quick: true, relayOnly: true });
    expect(all.plan).toMatchObject({ concurrency: 16, direct: false, statements: true, maxSeconds: 8 });
  });

  it("runs the yardstick by default, for --yardstick-seconds each, or not at all with --no-yardstick", () => {
    expect(parseBenchArgs(["--quick"]).yardstick).toEqual({ seconds: 10 });
    expect(parseBenchArgs(["--yardstick-seconds", "3"]).yardstick).toEqual({ seconds: 3 });
    expect(parseBenchArgs(["--yardstick-seconds=30", "--relay-only"]).yardstick).toEqual({ seconds: 30 });
    expect(parseBenchArgs(["--no-yardstick"]).yardstick).toBeUndefined();
    expect(parseBenchArgs(["--yardstick-only", "--yardstick-seconds", "2"])).toMatchObject({
      yardstickOnly: true,
      yardstick: { seconds: 2 },
    });
  });

  it("runs the servicing phases by default, alone with --servicing-only, never with --no-servicing", () => {
    expect(parseBenchArgs([])).toMatchObject({
      servicingOnly: false,
      servicing: { payments: 1_000, loans: 10_000, cobDays: 3, cobWorkers: 8 },
    });
    expect(parseBenchArgs(["--quick", "--servicing-only"])).toMatchObject({
      servicingOnly: true,
      servicing: { payments: 40, loans: 200, cobDays: 3 },
    });
    expect(parseBenchArgs(["--loans=500", "--cob-days", "33", "--payments", "7", "--cob-workers=2"]).servicing).toEqual(
      {
        payments: 7,
        loans: 500,
        cobDays: 33,
        cobWorkers: 2,
      },
    );
    expect(parseBenchArgs(["--no-servicing"]).servicing).toBeUndefined();
    expect(refusal(["--servicing-only", "--no-servicing"]).message).toMatch(/contradict/);
    expect(refusal(["--servicing-only", "--relay-only"]).message).toMatch(/contradicts --relay-only/);
    expect(refusal(["--loans", "0"]).message).toMatch(/^--loans must be a whole number/);
  });

  it("refuses a yardstick length out of range, and flags that contradict each other", () => {
    expect(refusal(["--yardstick-seconds", "0"]).message).toMatch(
      /^--yardstick-seconds must be a whole number from 1 to 600, not "0"/,
    );
    expect(refusal(["--yardstick-seconds=2.5"]).message).toMatch(/^--yardstick-seconds must be/);
    expect(refusal(["--yardstick-seconds"]).message).toMatch(/--yardstick-seconds/);
    expect(refusal(["--no-yardstick", "--yardstick-seconds", "5"]).message).toMatch(/contradict/);
    expect(refusal(["--no-yardstick", "--yardstick-only"]).message).toMatch(/contradict/);
    expect(refusal(["--yardstick-only", "--relay-only"]).message).toMatch(/contradict/);
    expect(refusal(["--yardstick=5"]).message).toMatch(/Unknown option '--yardstick'/);
    expect(refusal(["--help"]).message).toContain("--no-yardstick");
  });

  it("refuses an unknown flag, a missing value, NaN and out-of-range numbers, naming the flag", () => {
    const unknown = refusal(["--durations", "5"]);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.message).toMatch(/Unknown option '--durations'/);
    expect(unknown.message).toContain("usage: pnpm bench");
    expect(refusal(["--duration"]).message).toMatch(/--duration/);
    expect(refusal(["--duration", "abc"]).message).toMatch(
      /^--duration must be a whole number from 1 to 3600, not "abc"/,
    );
    expect(refusal(["--concurrency=0"]).message).toMatch(/^--concurrency must be/);
    expect(refusal(["--drain", "1.5"]).message).toMatch(/^--drain must be/);
    expect(refusal(["extra"]).message).toMatch(/extra/);
    const help = refusal(["--help"]);
    expect(help.exitCode).toBe(0);
    expect(help.message).toContain("--relay-only");
  });
});
