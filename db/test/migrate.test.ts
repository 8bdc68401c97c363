import { spawn } from "node:child_process";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { migrate, readMigrations } from "../src/migrate.ts";
import { createTestDatabase, type TestDatabase } from "../test-kit/databases.ts";

const root = join(import.meta.dirname, "..", "..");
const made: TestDatabase[] = [];
afterAll(async () => {
  for (const d of made) await d.drop();
});

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

function migrateInProcess(url: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(root, "db/src/migrate-cli.ts")], {
      cwd: root,
      env: { ...process.env, PE_DATABASE_URL: url, ORIGINATION_DATABASE_URL: "" },
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("close", (code) => resolve({ code, out }));
  });
}

describe("migrator", () => {
  it("two processes migrating one empty database at once both succeed, each migration applied once", async () => {
    const db = await createTestDatabase("pe", { empty: true });
    made.push(db);
    const [a, b] = await Promise.all([migrateInProcess(db.url), migrateInProcess(db.url)]);
    expect(a.code, a.out).toBe(0);
    expect(b.code, b.out).toBe(0);
    const files = await readMigrations("pe");
    const rows = await query<{ name: string; n: string }>(
      db.url,
      "select name, count(*)::int as n from schema_migrations group by name order by name",
    );
    expect(rows.map((r) => r.name).sort()).toEqual(files.map((f) => f.name).sort());
    expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
    // One of the two did the work; the other found it done.
    const applied = [a.out, b.out].map((o) => Number(/pe: (\d+) applied/.exec(o)?.[1]));
    expect(applied.sort()).toEqual([0, files.length]);
  });

  it("creates the contract's tables in both databases", async () => {
    for (const kind of ["pe", "origination"] as const) {
      const db = await createTestDatabase(kind);
      made.push(db);
      const tables = await query<{ t: string }>(
        db.url,
        "select table_name as t from information_schema.tables where table_schema = 'public'",
      );
      const names = tables.map((r) => r.t);
      const expected =
        kind === "pe"
          ? ["outbox", "products", "clients", "agreements", "schedule_payments"]
          : ["outbox", "applications"];
      expect(names).toEqual(expect.arrayContaining(expected));
      const cols = await query<{ c: string }>(
        db.url,
        "select column_name as c from information_schema.columns where table_name = 'outbox'",
      );
      expect(cols.map((r) => r.c)).toEqual(
        expect.arrayContaining([
          "id",
          "aggregate_id",
          "topic",
          "payload",
          "created_at",
          "attempts",
          "next_attempt_at",
          "last_error",
          "delivered_at",
          "dead_at",
        ]),
      );
    }
  });

  it("refuses to run when an applied migration's text has changed", async () => {
    const db = await createTestDatabase("origination");
    made.push(db);
    await query(
      db.url,
      "update schema_migrations set checksum = 'edited' where name = (select min(name) from schema_migrations)",
    );
    await expect(migrate(db.url, "origination")).rejects.toThrow(/changed after it was applied/);
  });

  it("applies nothing twice when run again", async () => {
    const db = await createTestDatabase("pe");
    made.push(db);
    const r = await migrate(db.url, "pe");
    expect(r.applied).toEqual([]);
    expect(r.alreadyApplied).toBe((await readMigrations("pe")).length);
  });
});
