import { createTestDatabase, type TestDatabase } from "@loans/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commonEnv } from "../src/config.ts";
import { createDatabase, type DatabaseHandle } from "../src/db.ts";
import { emitEvent } from "../src/events/emit.ts";
import { encodeFeedCursor } from "../src/events/feed.ts";
import { purgeEvents } from "../src/events/retention.ts";
import { listen, type RunningServer } from "../src/http/server.ts";
import { createServiceApp } from "../src/kit/app.ts";
import { createLogger } from "../src/log.ts";
import { waitFor } from "../test-kit/wait.ts";
import { testEvent, Writer } from "./events-helpers.ts";

// biome-ignore lint/suspicious/noExplicitAny: the kit's tables are reached through raw SQL only
type AnyDB = any;
const ADMIN = "admin-token-for-events-tests-0123456789";
const KEY = "api-key-for-events-tests-0123456789";

let database: TestDatabase;
let handle: DatabaseHandle<AnyDB>;
let server: RunningServer;

beforeAll(async () => {
  database = await createTestDatabase("origination");
  handle = createDatabase<AnyDB>(database.url);
  const config = commonEnv.parse({ ADMIN_TOKEN: ADMIN, API_KEYS: KEY, LOG_LEVEL: "silent" });
  const log = createLogger("events-test", "silent");
  const app = createServiceApp({ name: "test", title: "Test", config, pool: handle.pool, log, events: [testEvent] });
  server = await listen(app, 0);
});
afterAll(async () => {
  await server?.close();
  await handle?.close();
  await database?.drop();
});

const get = (path: string, token: string | null = KEY) =>
  fetch(`${server.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

interface Page {
  items: Array<{ id: string; subject: string; sequence: string; data: { n: number } }>;
  nextCursor: string | null;
}

async function emit(subject: string, n: number) {
  await handle.db.transaction().execute((trx) => emitEvent(trx, testEvent, { subject, data: { n, writer: subject } }));
}

describe("GET /events", () => {
  it("pages with nextCursor, filters by subject and type, and answers the same cursor when nothing is new", async () => {
    for (let i = 0; i < 5; i++) await emit(i % 2 === 0 ? "even" : "odd", i);
    const all: Page["items"] = [];
    let cursor: string | null = null;
    await waitFor(async () => {
      for (;;) {
        const r = await get(`/events?limit=2${cursor ? `&after=${cursor}` : ""}`);
        expect(r.status).toBe(200);
        const page = (await r.json()) as Page;
        all.push(...page.items);
        if (page.items.length === 0) {
          expect(page.nextCursor).toBe(cursor);
          return all.length >= 5;
        }
        cursor = page.nextCursor;
      }
    });
    expect(all.map((e) => e.data.n)).toEqual([0, 1, 2, 3, 4]);
    const odd = (await (await get("/events?subject=odd&types=test.happened")).json()) as Page;
    expect(odd.items.map((e) => e.data.n)).toEqual([1, 3]);
  });

  it("refuses bad filters with 400 and the one error shape", async () => {
    for (const q of [
      "types=agreement.created",
      "types=test.happened,nope",
      "limit=0",
      "limit=501",
      "limit=abc",
      "after=not-a-cursor",
      `after=${Buffer.from('["e1","-1","5"]').toString("base64url")}`,
      `after=${Buffer.from('["e1","99999999999999999999999","5"]').toString("base64url")}`,
      "subject=",
      "types=test.happened&types=test.happened",
    ]) {
      const r = await get(`/events?${q}`);
      expect(r.status, q).toBe(400);
      const body = (await r.json()) as { error: { code: string; details: unknown[] } };
      expect(body.error.code, q).toBe("VALIDATION_FAILED");
      expect(body.error.details.length, q).toBeGreaterThan(0);
    }
  });

  it("needs an API key or a viewer's token", async () => {
    expect((await get("/events", null)).status).toBe(401);
    expect((await get("/events", "wrong-key-0123456789012345")).status).toBe(401);
    expect((await get("/events", ADMIN)).status).toBe(200);
  });

  it("answers 410 CURSOR_EXPIRED for a cursor before what the retention removed, and keeps what follows", async () => {
    // An old event written by a transaction that stays open (a higher xid) while a young one commits:
    // removing by age alone would take it, after a cursor that has not reached it.
    const late = new Writer(database.url, "late");
    const young = new Writer(database.url, "young");
    await late.client.connect();
    await young.client.connect();
    try {
      await emit("older", 99);
      const page = (await (await get("/events?subject=older")).json()) as Page;
      const oldCursor = page.nextCursor!;
      await emit("old", 100);
      // young takes the lower xid; late writes its event first (the older time) and commits last.
      await young.takeXid();
      await late.insert(102);
      await young.insert(101);
      await young.end(true);
      await late.end(true);
      await handle.pool.query("update events set time = now() - interval '40 days' where subject <> 'young'");
      const times = await handle.pool.query<{ subject: string }>(
        "select subject from events order by time desc limit 1",
      );
      expect(times.rows[0]!.subject).toBe("young");
      await waitFor(async () => (await purgeEvents(handle.db, 30)) >= 0);
      // Everything before the young event is gone; the late old one sorts after it and is kept.
      const left = await handle.pool.query<{ subject: string }>("select subject from events order by xid, position");
      expect(left.rows.map((r) => r.subject)).toEqual(["young", "late"]);

      const r = await get(`/events?after=${oldCursor}`);
      expect(r.status).toBe(410);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe("CURSOR_EXPIRED");
      const fresh = (await (await get("/events")).json()) as Page;
      expect(fresh.items.map((e) => e.subject)).toEqual(["young", "late"]);
      // A cursor at the horizon itself lost nothing: it goes on.
      const { rows } = await handle.pool.query<{ xid: string; position: string }>(
        "select xid::text, position::text from events_horizon",
      );
      const atHorizon = await get(`/events?after=${encodeFeedCursor(rows[0]!)}`);
      expect(atHorizon.status).toBe(200);
      expect(((await atHorizon.json()) as Page).items.map((e) => e.subject)).toEqual(["young", "late"]);
    } finally {
      await late.client.end();
      await young.client.end();
    }
  });
});

describe("GET /asyncapi.json", () => {
  it("is open, and lists the service's own events", async () => {
    const r = await get("/asyncapi.json", null);
    expect(r.status).toBe(200);
    const doc = (await r.json()) as { asyncapi: string; channels: Record<string, { address: string }> };
    expect(doc.asyncapi).toBe("3.0.0");
    expect(doc.channels["test.happened"]?.address).toBe("loans.events.test.test.happened");
  });
});
