import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commonEnv } from "../src/config.ts";
import { listen, type RunningServer } from "../src/http/server.ts";
import { createServiceApp } from "../src/kit/app.ts";
import { createLogger } from "../src/log.ts";
import { summarizeMessages } from "../src/outbox/record.ts";
import { declareRoutes } from "../src/outbox/routing.ts";
import { type SenderEnv, startSenderEnv, TEST_TOPIC } from "../test-kit/sender.ts";

const ADMIN = "admin-token-0123456789abcdef";
const KEY = "api-key-0123456789";

let env: SenderEnv;
let server: RunningServer;

beforeAll(async () => {
  env = await startSenderEnv();
  await declareRoutes(env.db, [{ topic: TEST_TOPIC, destination: "peer" }]);
  // A relay that never starts: only for its pg-boss, whose queues the endpoint lists.
  await env.relay({ routes: {}, start: false });
  const config = commonEnv.parse({ ADMIN_TOKEN: ADMIN, API_KEYS: KEY, LOG_LEVEL: "silent" });
  const app = createServiceApp({
    name: "pe",
    config,
    pool: env.handle.pool,
    log: createLogger("admin-test", "silent"),
    boss: env.bosses[0],
  });
  server = await listen(app, 0);
});
afterAll(async () => {
  await server?.close();
  await env?.close();
});

// biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON came back
const json = async (r: Response): Promise<any> => r.json();

const call = (path: string, init: RequestInit & { token?: string } = {}) =>
  fetch(`${server.url}${path}`, {
    ...init,
    headers: {
      ...(init.body ? { "content-type": "application/json" } : {}),
      authorization: `Bearer ${init.token ?? ADMIN}`,
    },
  });

/** Enqueues one message per entry for `aggregate`, then marks them dead or delivered as given. */
async function history(aggregate: string, states: Array<"dead" | "delivered" | "pending">): Promise<string[]> {
  await env.enqueue(states.map((_, i) => ({ topic: TEST_TOPIC, aggregateId: aggregate, payload: { i } })));
  const ids = (await env.rows()).filter((r) => r.aggregate_id === aggregate).map((r) => r.id);
  for (const [i, state] of states.entries()) {
    if (state === "pending") continue;
    await sql`
      update outbox_deliveries
      set dead_at = ${state === "dead" ? sql`now()` : null}, delivered_at = ${state === "delivered" ? sql`now()` : null},
          attempts = 9, last_error = 'peer answered 500'
      where message_id = ${ids[i]!}`.execute(env.db);
  }
  await summarizeMessages(env.db, ids);
  return ids;
}

describe("the admin endpoints of every service", () => {
  it("answer only the admin token, not an API key", async () => {
    for (const path of ["/admin/outbox", "/admin/outbox/dead", "/admin/queues"]) {
      const r = await call(path, { token: KEY });
      expect(r.status).toBe(401);
      expect(r.headers.get("www-authenticate")).toBe('Bearer realm="admin"');
    }
    const r = await call("/admin/outbox/requeue", {
      method: "POST",
      token: KEY,
      body: JSON.stringify({ destination: "peer", aggregateId: "x" }),
    });
    expect(r.status).toBe(401);
  });

  it("show the backlog, the oldest pending age, the dead and the health per destination", async () => {
    await history("admin-backlog", ["pending", "pending", "dead"]);
    await sql`update outbox_destinations set failing_since = now(), last_error = 'connect ECONNREFUSED'
              where name = 'peer'`.execute(env.db);
    const body = await json(await call("/admin/outbox"));
    expect(body.service).toBe("pe");
    const peer = body.destinations.find((d: { destination: string }) => d.destination === "peer");
    expect(peer).toMatchObject({
      pending: 2,
      dead: 1,
      health: "failing",
      lastError: "connect ECONNREFUSED",
    });
    expect(peer.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(0);
    expect(body.topics.some((t: { topic: string }) => t.topic === TEST_TOPIC)).toBe(true);
    await sql`update outbox_destinations set failing_since = null, last_error = null`.execute(env.db);
  });

  it("page the dead letters newest first, with last_error", async () => {
    await history("admin-dead-a", ["dead"]);
    await history("admin-dead-b", ["dead"]);
    const first = await json(await call("/admin/outbox/dead?limit=1"));
    expect(first.items).toHaveLength(1);
    expect(first.items[0]).toMatchObject({ aggregateId: "admin-dead-b", destination: "peer", attempts: 9 });
    expect(first.items[0].lastError).toBe("peer answered 500");
    const second = await json(await call(`/admin/outbox/dead?limit=1&cursor=${first.nextCursor}`));
    expect(second.items[0].aggregateId).toBe("admin-dead-a");
    const bad = await call("/admin/outbox/dead?cursor=nonsense");
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.code).toBe("VALIDATION_FAILED");
  });

  it("requeue a (destination, aggregate) as the command does: every dead one of it, in order", async () => {
    const [a, b] = await history("admin-requeue", ["dead", "dead", "pending"]);
    const r = await call("/admin/outbox/requeue", {
      method: "POST",
      body: JSON.stringify({ destination: "peer", aggregateId: "admin-requeue" }),
    });
    expect(r.status).toBe(200);
    expect(await json(r)).toEqual({ requeued: [a, b] });
    const { rows } = await sql<{ dead: number }>`
      select count(*)::int as dead from outbox_deliveries where aggregate_id = 'admin-requeue' and dead_at is not null`.execute(
      env.db,
    );
    expect(rows[0]?.dead).toBe(0);
    // One audit row, written in the requeue's own transaction, names the operator and what it requeued.
    const audit = await sql<{ operator_name: string; outcome: string; summary: { requeued: string[] } }>`
      select operator_name, outcome, summary from audit_log where action = 'outbox.requeue'
        and target = 'aggregate:admin-requeue'`.execute(env.db);
    expect(audit.rows).toEqual([
      {
        operator_name: "bootstrap-admin",
        outcome: "ALLOWED",
        summary: { destination: "peer", force: false, requeued: [a, b] },
      },
    ]);
    const again = await call("/admin/outbox/requeue", {
      method: "POST",
      body: JSON.stringify({ destination: "peer", aggregateId: "admin-requeue" }),
    });
    expect(again.status).toBe(404);
  });

  it("refuse, with the command's message, a requeue that would follow a later delivered message; force sends it", async () => {
    const [dead] = await history("admin-refused", ["dead", "delivered"]);
    const body = JSON.stringify({ destination: "peer", aggregateId: "admin-refused" });
    const r = await call("/admin/outbox/requeue", { method: "POST", body });
    expect(r.status).toBe(409);
    const { error } = await json(r);
    expect(error.code).toBe("CONFLICT");
    expect(error.message).toMatch(/later ones of their aggregate that were delivered meanwhile/);
    const forced = await call("/admin/outbox/requeue", {
      method: "POST",
      body: JSON.stringify({ destination: "peer", aggregateId: "admin-refused", force: true }),
    });
    expect(await json(forced)).toEqual({ requeued: [dead] });
  });

  it("list one aggregate's messages with their request ids and deliveries", async () => {
    const [dead, delivered] = await history("admin-trail", ["dead", "delivered"]);
    const body = await json(await call("/admin/outbox/messages?aggregateId=admin-trail"));
    expect(body.items.map((m: { id: string }) => m.id)).toEqual([dead, delivered]);
    expect(body.items[0]).toMatchObject({ topic: TEST_TOPIC, requestId: null });
    expect(body.items[0].deliveries).toEqual([expect.objectContaining({ destination: "peer", attempts: 9 })]);
    expect(body.items[0].deliveries[0].deadAt).not.toBeNull();
    expect((await call("/admin/outbox/messages")).status).toBe(400);
  });

  it("list the pg-boss queues with their sizes", async () => {
    const r = await call("/admin/queues");
    expect(r.status).toBe(200);
    const body = await json(r);
    expect(body.service).toBe("pe");
    expect(Array.isArray(body.queues)).toBe(true);
    for (const q of body.queues) expect(q).toEqual({ queue: expect.any(String), queued: 0, active: 0 });
  });
});
