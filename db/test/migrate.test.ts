import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
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

  it("upgrades a database of the old layout, whose outbox migrations were the service's own, to the shared set", async () => {
    const db = await createTestDatabase("pe", { empty: true });
    made.push(db);
    // What the migrator did before the outbox had its own set: the same texts, under the service's names.
    const old: Array<[string, string]> = [
      ["0001_outbox.sql", "db/outbox/0001_outbox.sql"],
      ["0002_products_clients_agreements.sql", "db/pe/0002_products_clients_agreements.sql"],
      ["0003_outbox_request_id.sql", "db/outbox/0002_outbox_request_id.sql"],
    ];
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      await c.query(
        "create table schema_migrations (name text primary key, checksum text not null, applied_at timestamptz not null default now())",
      );
      for (const [name, file] of old) {
        const text = await readFile(join(root, file), "utf8");
        await c.query(text);
        await c.query("insert into schema_migrations (name, checksum) values ($1, $2)", [
          name,
          createHash("sha256").update(text).digest("hex"),
        ]);
      }
      await c.query(`
        insert into outbox (aggregate_id, topic, payload, attempts, delivered_at, dead_at, last_error) values
          ('old-1', 'agreement.created', '{}', 2, null, null, 'peer down'),
          ('old-2', 'agreement.created', '{}', 585, null, now(), 'given up'),
          ('old-3', 'agreement.created', '{}', 1, now(), null, null)`);
    } finally {
      await c.end();
    }

    const r = await migrate(db.url, "pe");
    // Only what came after the old layout runs: the outbox's destinations and its due index, the kit's
    // tables, PE's own since.
    expect(r.applied).toEqual([
      "outbox/0003_destinations.sql",
      "outbox/0004_deliveries_due_index.sql",
      "kit/0001_idempotency_keys.sql",
      "kit/0002_audit_log.sql",
      "kit/0003_approvals.sql",
      "kit/0004_events.sql",
      "0003_idempotency_keys.sql",
      "0004_disbursement.sql",
      "0005_business_date.sql",
      "0006_servicing.sql",
      "0007_calendar.sql",
      "0008_due_dates.sql",
      "0009_psk.sql",
    ]);
    const recorded = await query<{ name: string; checksum: string }>(
      db.url,
      "select name, checksum from schema_migrations order by name",
    );
    const byName = new Map(recorded.map((x) => [x.name, x.checksum]));
    // The shared files are recorded as applied, with the very checksums the old copies had.
    expect(byName.get("outbox/0001_outbox.sql")).toBe(byName.get("0001_outbox.sql"));
    expect(byName.get("outbox/0002_outbox_request_id.sql")).toBe(byName.get("0003_outbox_request_id.sql"));
    expect((await migrate(db.url, "pe")).applied).toEqual([]);

    // The old rows keep their meaning: one pending (no destination until a relay routes its topic), one dead.
    expect(await query(db.url, "select topic, destination, pending::int from outbox_backlog")).toEqual([
      { topic: "agreement.created", destination: null, pending: 1 },
    ]);
    expect(
      await query(db.url, "select aggregate_id, destination, attempts, last_error from outbox_dead_letters"),
    ).toEqual([{ aggregate_id: "old-2", destination: null, attempts: 585, last_error: "given up" }]);
  });

  it("refuses to adopt an old outbox migration whose text differs from the shared file", async () => {
    const db = await createTestDatabase("origination", { empty: true });
    made.push(db);
    await query(
      db.url,
      "create table schema_migrations (name text primary key, checksum text not null, applied_at timestamptz not null default now())",
    );
    await query(db.url, "insert into schema_migrations (name, checksum) values ('0001_outbox.sql', 'other')");
    await expect(migrate(db.url, "origination")).rejects.toThrow(/applied with other text/);
  });
});
