import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SERVICES } from "../src/services.ts";

const root = join(import.meta.dirname, "..", "..");

describe("the list of services", () => {
  it("names each one's folder, entry point, package and migrations", () => {
    for (const s of SERVICES) {
      expect(existsSync(join(root, s.dir, "src", "main.ts")), s.name).toBe(true);
      const manifest = JSON.parse(readFileSync(join(root, s.dir, "package.json"), "utf8"));
      expect(Object.keys(manifest.dependencies), s.name).toEqual(expect.arrayContaining(["@loans/shared"]));
      const migrations = readdirSync(join(root, "db", s.database)).filter((f) => f.endsWith(".sql"));
      expect(migrations.length, s.name).toBeGreaterThan(0);
      // Every service database has the Idempotency-Key table the kit relies on.
      const sql = migrations.map((f) => readFileSync(join(root, "db", s.database, f), "utf8")).join("\n");
      expect(sql, s.name).toContain("create table idempotency_keys");
      expect(sql, s.name).toContain("create table outbox");
    }
  });

  it("gives no two services the same name, folder, port, variable or database", () => {
    for (const field of [
      "name",
      "dir",
      "defaultPort",
      "portVar",
      "hostVar",
      "databaseVar",
      "urlVar",
      "database",
    ] as const) {
      const values = SERVICES.map((s) => s[field]);
      expect(new Set(values).size, field).toBe(values.length);
    }
  });
});
