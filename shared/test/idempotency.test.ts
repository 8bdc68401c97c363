import Router from "@koa/router";
import { createTestDatabase, type TestDatabase } from "@loans/db/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type DatabaseHandle } from "../src/db.ts";
import { createBaseApp } from "../src/http/app.ts";
import { AppError } from "../src/http/errors.ts";
import { idempotency, purgeIdempotencyKeys } from "../src/http/idempotency.ts";
import { listen, type RunningServer } from "../src/http/server.ts";
import { createLogger } from "../src/log.ts";

// biome-ignore lint/suspicious/noExplicitAny: the table is reached through raw SQL only
type AnyDB = any;

let database: TestDatabase;
let handle: DatabaseHandle<AnyDB>;
let server: RunningServer;
/** Requests to /things wait here while a test holds the gate. */
let gate: Promise<void> = Promise.resolve();
let created = 0;

beforeAll(async () => {
  database = await createTestDatabase("pe");
  handle = createDatabase<AnyDB>(database.url);
  const log = createLogger("test", "silent");
  const app = createBaseApp({ service: "test", pool: handle.pool, log, serviceSecret: "s".repeat(32) });
  const quick = idempotency(handle.db, { lockTimeoutMs: 200 });
  const patient = idempotency(handle.db, { lockTimeoutMs: 10_000 });
  const router = new Router();
  for (const [path, keys] of [
    ["/things", quick],
    ["/patient-things", patient],
    ["/other-things", quick],
  ] as const) {
    router.post(path, async (ctx) => {
      const input = ctx.request.body as { name?: unknown };
      await keys.run(ctx, { key: ctx.get("Idempotency-Key") || undefined, input }, async (trx) => {
        await sql`select 1`.execute(trx);
        await gate;
        if (typeof input.name !== "string") throw new AppError("VALIDATION_FAILED", "name is required");
        created++;
        return {
          status: 201,
          body: { id: `thing-${created}`, name: input.name },
          headers: { Location: `/things/${created}` },
        };
      });
    });
  }
  app.use(router.routes());
  server = await listen(app, 0);
});
afterAll(async () => {
  await server?.close();
  await handle?.close();
  await database?.drop();
});

const post = (path: string, body: unknown, key: string) =>
  fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "Idempotency-Key": key },
    body: JSON.stringify(body),
  });
const errorOf = async (r: Response) => ((await r.json()) as { error: { code: string } }).error.code;
let n = 0;
const newKey = () => `k-${Date.now()}-${n++}`;
const hold = () => {
  let release = () => {};
  gate = new Promise<void>((r) => (release = r));
  return () => {
    gate = Promise.resolve();
    release();
  };
};

describe("the Idempotency-Key layer", () => {
  it("replays the first answer's status, headers and body byte for byte", async () => {
    const key = newKey();
    const first = await post("/things", { name: "a" }, key);
    const again = await post("/things", { name: "a" }, key);
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.headers.get("location")).toBe(first.headers.get("location"));
    expect(await again.text()).toBe(await first.text());
  });

  it("the same key on another path is a 422 IDEMPOTENCY_KEY_REUSED", async () => {
    const key = newKey();
    expect((await post("/things", { name: "a" }, key)).status).toBe(201);
    const r = await post("/other-things", { name: "a" }, key);
    expect(r.status).toBe(422);
    expect(await errorOf(r)).toBe("IDEMPOTENCY_KEY_REUSED");
  });

  it("a request refused inside the creation stores nothing: the corrected retry creates", async () => {
    const key = newKey();
    expect((await post("/things", {}, key)).status).toBe(400);
    const r = await post("/things", { name: "b" }, key);
    expect(r.status).toBe(201);
    expect(r.headers.get("idempotent-replayed")).toBeNull();
  });

  it("while the first request holds the key, a second is a 409 IDEMPOTENCY_KEY_IN_USE; later it replays", async () => {
    const key = newKey();
    const release = hold();
    const first = post("/things", { name: "c" }, key);
    await new Promise((r) => setTimeout(r, 100));
    const second = await post("/things", { name: "c" }, key);
    expect(second.status).toBe(409);
    expect(await errorOf(second)).toBe("IDEMPOTENCY_KEY_IN_USE");
    release();
    const done = await first;
    expect(done.status).toBe(201);
    const third = await post("/things", { name: "c" }, key);
    expect(third.headers.get("idempotent-replayed")).toBe("true");
    expect(await third.json()).toEqual(await done.json());
  });

  it("with a longer lock timeout, the second waits for the first and replays its answer", async () => {
    const key = newKey();
    const before = created;
    const release = hold();
    const first = post("/patient-things", { name: "d" }, key);
    await new Promise((r) => setTimeout(r, 100));
    const second = post("/patient-things", { name: "d" }, key);
    await new Promise((r) => setTimeout(r, 200));
    release();
    const [a, b] = await Promise.all([first, second]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.headers.get("idempotent-replayed")).toBe("true");
    expect(await b.text()).toBe(await a.text());
    expect(created - before).toBe(1);
  });

  it("purges keys older than 24 hours and keeps the younger", async () => {
    const old = newKey();
    const young = newKey();
    await post("/things", { name: "e" }, old);
    await post("/things", { name: "f" }, young);
    await sql`update idempotency_keys set created_at = now() - interval '25 hours' where key = ${old}`.execute(
      handle.db,
    );
    expect(await purgeIdempotencyKeys(handle.db)).toBe(1);
    const { rows } = await sql<{ key: string }>`
      select key from idempotency_keys where key in (${old}, ${young})`.execute(handle.db);
    expect(rows.map((r) => r.key)).toEqual([young]);
  });
});
