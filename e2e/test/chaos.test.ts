import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");

// The short soak CI runs on every change: 500 agreements through 30 % lost requests and answers both
// ways, a SIGKILL every few seconds and one PostgreSQL restart. A new seed each run; it is printed.
describe("pnpm chaos, short", () => {
  it("500 agreements under drops, kills and a database restart: 0 lost, 0 duplicated, all converged", async () => {
    const seed = String(Math.floor(Math.random() * 1_000_000));
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(root, "e2e/chaos/run.ts"), "--agreements", "500", "--kill-every", "3", "--seed", seed],
      { cwd: root, env: process.env },
    );
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const code = await new Promise<number | null>((r) => child.on("close", r));
    expect(code, `seed ${seed}\n${out}`).toBe(0);
    expect(out).toMatch(/lost\s+0\n/);
    expect(out).toMatch(/duplicates\s+0\n/);
    expect(out).toMatch(/converged\s+500 \(100\.00 %\)/);
    expect(out).toMatch(/chaos: all invariants hold/);
  }, 300_000);
});
