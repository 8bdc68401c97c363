import { describe, expect, it } from "vitest";
import { numberFlag, parseCommandLine, UsageError } from "../src/args.ts";
import { deadLimit, parseOutboxArgs } from "../src/outbox/cli-args.ts";

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof UsageError) return { message: err.message, exitCode: err.exitCode };
    throw err;
  }
  throw new Error("not refused");
};

describe("command-line arguments", () => {
  it("takes --name value and --name=value alike, and refuses an unknown flag with the usage", () => {
    const options = { n: { type: "string" }, on: { type: "boolean" } } as const;
    expect(parseCommandLine(["--n", "3", "--on"], options, "usage: x").values).toEqual({ n: "3", on: true });
    expect(parseCommandLine(["--n=3"], options, "usage: x").values).toEqual({ n: "3" });
    const unknown = refusal(() => parseCommandLine(["--nn", "3"], options, "usage: x"));
    expect(unknown.exitCode).toBe(2);
    expect(unknown.message).toMatch(/Unknown option '--nn'/);
    expect(unknown.message).toMatch(/\nusage: x$/);
    expect(refusal(() => parseCommandLine(["--n"], options, "usage: x")).message).toMatch(/--n/);
    expect(refusal(() => parseCommandLine(["stray"], options, "usage: x")).message).toMatch(/stray/);
  });

  it("reads numbers within their range and names the flag of one that is not", () => {
    expect(numberFlag("rate", "2.5", { min: 0, max: 10 }, "u")).toBe(2.5);
    expect(numberFlag("n", "10", { min: 1, max: 10, integer: true }, "u")).toBe(10);
    for (const bad of ["abc", "", " ", "NaN", "Infinity", "11", "-1", "1.5"]) {
      const r = refusal(() => numberFlag("n", bad, { min: 0, max: 10, integer: true }, "u"));
      expect(r.message).toContain(`--n must be a whole number from 0 to 10, not "${bad}"`);
      expect(r.exitCode).toBe(2);
    }
  });
});

describe("pnpm outbox's arguments", () => {
  it("takes the service, the command and its argument, --all-dead and --force", () => {
    expect(parseOutboxArgs(["pe", "status"])).toEqual({
      service: "pe",
      command: "status",
      arg: undefined,
      allDead: false,
      force: false,
    });
    expect(parseOutboxArgs(["gateway", "retry", "7", "--force"])).toEqual({
      service: "gateway",
      command: "retry",
      arg: "7",
      allDead: false,
      force: true,
    });
    expect(parseOutboxArgs(["origination", "retry", "--all-dead"])).toMatchObject({
      command: "retry",
      allDead: true,
    });
    expect(parseOutboxArgs(["pe", "retry", "42"])).toMatchObject({ arg: "42", allDead: false });
  });

  it("refuses an unknown service, flag or extra argument with exit 2; --help exits 0", () => {
    expect(refusal(() => parseOutboxArgs(["billing", "status"])).message).toMatch(/^usage: pnpm outbox/);
    expect(refusal(() => parseOutboxArgs(["pe", "status", "--verbose"])).message).toMatch(/--verbose/);
    expect(refusal(() => parseOutboxArgs(["pe", "dead", "5", "6"])).message).toMatch(/unexpected argument "6"/);
    expect(refusal(() => parseOutboxArgs(["--help"])).exitCode).toBe(0);
    expect(deadLimit("20")).toBe(20);
    expect(refusal(() => deadLimit("x")).message).toMatch(/^dead <limit> must be a whole number/);
    expect(refusal(() => deadLimit("0")).message).toMatch(/^dead <limit> must be/);
  });
});
