import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../db/test-kit/databases.ts";
import { createDatabase, type DatabaseHandle } from "../src/db.ts";
import { enqueueMessages } from "../src/outbox/enqueue.ts";
import { summarizeMessages } from "../src/outbox/record.ts";
import { declareRoutes } from "../src/outbox/routing.ts";
import type { OutboxDB } from "../src/outbox/types.ts";
import { runTs } from "../test-kit/child.ts";

let database: TestDatabase;
let handle: DatabaseHandle<OutboxDB>;

beforeAll(async () => {
  database = await createTestDatabase("origination");
  handle = createDatabase<OutboxDB>(database.url);
  await declareRoutes(handle.db, [
    { topic: "application.decided", destination: "pe" },
    { topic: "application.withdrawn", destination: "pe" },
  ]);
  await handle.db.transaction().execute((trx) =>
    enqueueMessages(trx, [
      { topic: "application.decided", aggregateId: "a-1", payload: { n: 1 } },
      { topic: "application.decided", aggregateId: "a-2", payload: { n: 2 } },
      { topic: "application.decided", aggregateId: "a-3", payload: { n: 3 } },
      { topic: "application.withdrawn", aggregateId: "a-4", payload: { n: 4 } },
      { topic: "application.withdrawn", aggregateId: "a-5", payload: { n: 5 } },
    ]),
  );
  // a-1 delivered; a-2 failing for a while; a-4 and a-5 dead; a-3 pending since a minute.
  await sql`
    update outbox_deliveries set
      delivered_at = case when aggregate_id = 'a-1' then now() end,
      attempts = case aggregate_id when 'a-2' then 3 when 'a-4' then 9 when 'a-5' then 9 else attempts end,
      last_error = case when aggregate_id in ('a-2', 'a-4', 'a-5') then 'rejected BUSINESS_RULE: no' end,
      dead_at = case when aggregate_id in ('a-4', 'a-5') then now() end`.execute(handle.db);
  await sql`update outbox set created_at = now() - interval '65 seconds'`.execute(handle.db);
  const { rows } = await sql<{ id: string }>`select id::text from outbox`.execute(handle.db);
  await summarizeMessages(
    handle.db,
    rows.map((r) => r.id),
  );
});
afterAll(async () => {
  await handle?.close();
  await database?.drop();
});

const cli = (...args: string[]) =>
  runTs("shared/src/outbox/cli.ts", args, { ORIGINATION_DATABASE_URL: database.url, PE_DATABASE_URL: "" });

const row = async (aggregateId: string) => {
  const { rows } = await sql<{ attempts: number; dead: boolean; due: boolean }>`
    select d.attempts, o.dead_at is not null or d.dead_at is not null as dead, d.next_attempt_at <= now() as due
    from outbox o join outbox_deliveries d on d.message_id = o.id where o.aggregate_id = ${aggregateId}`.execute(
    handle.db,
  );
  return rows[0];
};

describe("pnpm outbox", () => {
  it("status prints backlog, rate and dead letters per topic", async () => {
    const { code, out } = await cli("origination", "status");
    expect(code, out).toBe(0);
    const lines = out.trim().split("\n");
    expect(lines[0]).toMatch(/^topic\s+destination\s+pending\s+due\s+retrying\s+oldest\s+last min\s+last hour\s+dead$/);
    expect(lines[2]).toMatch(/^application\.decided\s+pe\s+2\s+2\s+1\s+1m0[5-9]s\s+1\s+1\s+0$/);
    expect(lines[3]).toMatch(/^application\.withdrawn\s+pe\s+0\s+0\s+0\s+-\s+0\s+0\s+2$/);
  });

  it("dead lists the dead messages", async () => {
    const { code, out } = await cli("origination", "dead");
    expect(code, out).toBe(0);
    expect(out).toMatch(/application\.withdrawn\s+pe\s+a-4\s+9\s+\S+\s+rejected BUSINESS_RULE: no/);
    expect(out).toMatch(/a-5\s+9/);
  });

  it("retry <id> requeues one dead message; retry --all-dead the rest; a wrong id is refused", async () => {
    const { rows } = await sql<{ id: string }>`select id::text from outbox where aggregate_id = 'a-4'`.execute(
      handle.db,
    );
    const one = await cli("origination", "retry", rows[0]!.id);
    expect(one.code, one.out).toBe(0);
    expect(one.out).toContain(`requeued message ${rows[0]!.id}`);
    expect(await row("a-4")).toEqual({ attempts: 0, dead: false, due: true });
    expect(await row("a-5")).toMatchObject({ dead: true });

    const again = await cli("origination", "retry", rows[0]!.id);
    expect(again.code).toBe(1);
    expect(again.out).toContain(`no dead message with id ${rows[0]!.id}`);

    const all = await cli("origination", "retry", "--all-dead");
    expect(all.code, all.out).toBe(0);
    expect(all.out).toContain("requeued 1 dead message(s)");
    expect(await row("a-5")).toEqual({ attempts: 0, dead: false, due: true });
  });

  it("explains its usage and names a missing database URL", async () => {
    const usage = await cli("billing", "status");
    expect(usage.code).toBe(2);
    expect(usage.out).toMatch(/^usage: pnpm outbox <pe\|origination\|gateway>/);
    const missing = await cli("pe", "status");
    expect(missing.code).toBe(2);
    expect(missing.out).toContain("PE_DATABASE_URL is not set");
  });

  it("reads the Payment Gateway's outbox too", async () => {
    const gateway = await createTestDatabase("gateway");
    try {
      const { code, out } = await runTs("shared/src/outbox/cli.ts", ["gateway", "status"], {
        GATEWAY_DATABASE_URL: gateway.url,
      });
      expect(code, out).toBe(0);
      expect(out.trim()).toBe("gateway outbox: empty");
    } finally {
      await gateway.drop();
    }
  });
});
