import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readMigrations } from "../src/migrate.ts";
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
    }
  });

  it("gives every service database the kit's tables from one source, and no service a copy of them", async () => {
    for (const s of SERVICES) {
      const files = await readMigrations(s.database);
      const all = files.map((f) => f.sql).join("\n");
      const own = files.filter((f) => !f.name.includes("/")).map((f) => f.sql);
      for (const table of ["outbox", "outbox_deliveries", "idempotency_keys"]) {
        expect(all, `${s.name}: ${table}`).toContain(`create table ${table} `);
        expect(own.join("\n"), `${s.name} copies ${table}`).not.toContain(`create table ${table} `);
      }
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
