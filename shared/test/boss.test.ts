import { sql } from "kysely";
import type { PgBoss } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../db/test-kit/databases.ts";
import { ensureQueue, queueSizes, startBoss, unfinishedJobs } from "../src/boss.ts";
import { createDatabase, type DatabaseHandle } from "../src/db.ts";
import { createLogger } from "../src/log.ts";

let database: TestDatabase;
let handle: DatabaseHandle<Record<string, never>>;
const bosses: PgBoss[] = [];
const log = createLogger("boss-test", "silent");

beforeAll(async () => {
  database = await createTestDatabase("origination", { empty: true });
  handle = createDatabase(database.url, 2);
});
afterAll(async () => {
  for (const b of bosses) await b.stop({ graceful: false, timeout: 2_000 }).catch(() => {});
  await handle?.close();
  await database?.drop();
});

describe("pg-boss on the service database", () => {
  it("puts a pg-boss 10 schema aside and installs its own; two instances create one queue at once", async () => {
    // What pg-boss 10 left behind: its schema at version 24, with a job in it.
    await sql`create schema pgboss`.execute(handle.db);
    await sql`create table pgboss.version (version int primary key)`.execute(handle.db);
    await sql`insert into pgboss.version values (24)`.execute(handle.db);
    await sql`create table pgboss.job (id uuid, name text)`.execute(handle.db);
    await sql`insert into pgboss.job values (gen_random_uuid(), 'scoring')`.execute(handle.db);

    const started = await Promise.all([startBoss(database.url, log, 2), startBoss(database.url, log, 2)]);
    bosses.push(...started);
    const [a, b] = started as [PgBoss, PgBoss];
    const { rows } = await sql<{ version: number }>`select version from pgboss.version`.execute(handle.db);
    expect(rows[0]!.version).toBeGreaterThan(24);
    const { rows: aside } = await sql<{ n: number }>`select count(*)::int as n from pgboss_v10.job`.execute(handle.db);
    expect(aside[0]!.n).toBe(1);

    await Promise.all([
      ensureQueue(a, "twice", { retryLimit: 3 }),
      ensureQueue(b, "twice", { retryLimit: 3 }),
      ensureQueue(a, "twice", { retryLimit: 3 }),
    ]);
    expect((await a.getQueue("twice"))?.retryLimit).toBe(3);

    // Counted now, not at pg-boss's last monitor pass.
    expect(await queueSizes(a, ["twice", "none"])).toEqual([
      { queue: "twice", queued: 0, active: 0 },
      { queue: "none", queued: 0, active: 0 },
    ]);
    await a.send("twice", { n: 1 });
    await a.send("twice", { n: 2 });
    const [job] = await a.fetch("twice");
    expect(job).toBeDefined();
    expect(await queueSizes(b, ["twice"])).toEqual([{ queue: "twice", queued: 1, active: 1 }]);
    await a.complete("twice", job!.id);
    expect(await unfinishedJobs(a, "twice")).toBe(1);

    // A later start finds the current schema and leaves it alone.
    bosses.push(await startBoss(database.url, log, 1));
    const { rows: after } = await sql<{ n: number }>`select count(*)::int as n from pgboss_v10.job`.execute(handle.db);
    expect(after[0]!.n).toBe(1);
    expect(await unfinishedJobs(a, "twice")).toBe(1);
  });
});
