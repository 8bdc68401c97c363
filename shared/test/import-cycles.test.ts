import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");

describe("imports", () => {
  // Biome's noImportCycles (biome.json, type-only imports included) over every package; `pnpm lint` runs it
  // too, this keeps `pnpm test` from passing with a cycle.
  it("form no cycle anywhere in the workspace, type-only imports included", () => {
    const r = spawnSync(
      process.execPath,
      [join(root, "node_modules/@biomejs/biome/bin/biome"), "lint", "--only=suspicious/noImportCycles", "."],
      { cwd: root, encoding: "utf8" },
    );
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
  });

  // dependency-cruiser (.dependency-cruiser.cjs): PE's features import no other feature, and every package
  // imports only from the floors below it. `pnpm lint` runs it too.
  it("point only down the floors: no PE feature imports another, no package one above it", () => {
    const r = spawnSync(
      process.execPath,
      [
        join(root, "node_modules/dependency-cruiser/bin/dependency-cruiser.mjs"),
        "--config",
        ".dependency-cruiser.cjs",
        ".",
      ],
      { cwd: root, encoding: "utf8" },
    );
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
  });
});
