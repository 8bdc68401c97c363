import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");

// The short soak CI runs on every change: 60 loans through their whole life on PE's manual clock, across
// the three services, with 30 % of requests and answers lost both ways on all four hops, a SIGKILL of any
// service every few seconds, one PostgreSQL restart and a bank that fails and loses answers. Then every
// LIFECYCLE §3.2 invariant by SQL and a sample recomputed by the pure core. A new seed each run; it is printed.
describe("pnpm chaos, short", () => {
  it("60 loans' lives under drops on every hop, kills of every service, a database restart and a faulty bank", async () => {
    const seed = String(Math.floor(Math.random() * 1_000_000));
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        join(root, "e2e/chaos/run.ts"),
        ...["--loans", "60", "--rate", "4", "--kill-every", "5", "--days-per-second", "4"],
        ...["--bank-error-rate", "0.2", "--bank-failure-rate", "0.02", "--sample", "30", "--seed", seed],
      ],
      { cwd: root, env: process.env },
    );
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const code = await new Promise<number | null>((r) => child.on("close", r));
    expect(code, `seed ${seed}\n${out}`).toBe(0);
    expect(out).toMatch(/invariant violations\s+0\n/);
    expect(out).toMatch(/transfers per payout \([^)]*\)\s+1 /);
    expect(out).toMatch(/transfers per payment \([^)]*\)\s+1 /);
    expect(out).toMatch(/\(unaccounted 0\.00\)/);
    expect(out).toMatch(/loans closed \/ left open as planned \/ unfinished\s+[1-9]\d* \/ \d+ \/ 0\n/);
    expect(out).toMatch(/SIGKILLs \/ crashes \/ PostgreSQL restarts\s+[1-9]\d* \/ \d+ \/ 1\n/);
    expect(out).toMatch(/chaos: all invariants hold/);
  }, 420_000);
});
