import Router from "@koa/router";
import { createTestDatabase, type TestDatabase } from "@loans/db/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireRole } from "../src/audit/guard.ts";
import { auditRoutes } from "../src/audit/routes.ts";
import { auditAction, describeAudit } from "../src/audit/write.ts";
import { createDatabase, type DatabaseHandle } from "../src/db.ts";
import { createBaseApp } from "../src/http/app.ts";
import { AppError } from "../src/http/errors.ts";
import { listen, type RunningServer } from "../src/http/server.ts";
import { createLogger } from "../src/log.ts";
import { asOperator, testOperators } from "../test-kit/operators.ts";

// biome-ignore lint/suspicious/noExplicitAny: the kit's tables are reached through raw SQL only
type AnyDB = any;
const ADMIN = "admin-token-for-audit-tests-0123456789";

let database: TestDatabase;
let handle: DatabaseHandle<AnyDB>;
let server: RunningServer;

beforeAll(async () => {
  database = await createTestDatabase("pe");
  handle = createDatabase<AnyDB>(database.url);
  const log = createLogger("test", "silent");
  const app = createBaseApp({ service: "test", pool: handle.pool, log, serviceSecret: "s".repeat(32) });
  app.use(testOperators());
  const router = new Router();
  // An action that records itself; `fail` refuses it inside its transaction, after the row was written.
  router.post("/things/:id/act", async (ctx) => {
    const target = `thing:${ctx.params.id}`;
    describeAudit(ctx, { action: "thing.act", target });
    const fail = (ctx.request.body as { fail?: boolean } | undefined)?.fail === true;
    await handle.db.transaction().execute(async (trx) => {
      await auditAction(trx, ctx, {
        action: "thing.act",
        target,
        summary: { firstName: "Ivan", passportNumber: "4510123456" },
      });
      if (fail) throw new AppError("CONFLICT", "the thing cannot act now");
    });
    ctx.body = { ok: true };
  });
  router.post("/plain", (ctx) => {
    ctx.body = { ok: true };
  });
  router.post("/risky", (ctx) => {
    requireRole(ctx, "risk");
    ctx.body = { ok: true };
  });
  // Refuses every token but ADMIN, as the access guard refuses an unknown one.
  router.post("/admin-only", (ctx) => {
    if (ctx.get("authorization") !== `Bearer ${ADMIN}`) throw new AppError("UNAUTHORIZED", "unknown token");
    ctx.body = { ok: true };
  });
  app.use(router.routes());
  app.use(auditRoutes({ pool: handle.pool }).routes());
  server = await listen(app, 0);
});
afterAll(async () => {
  await server?.close();
  await handle?.close();
  await database?.drop();
});

const post = (path: string, headers: Record<string, string>, body: unknown = {}) =>
  fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

async function rowsFor(requestId: string) {
  const { rows } = await sql<Record<string, unknown>>`select * from audit_log where request_id = ${requestId}`.execute(
    handle.db,
  );
  return rows;
}

const rid = () => `audit-test-${Math.random().toString(36).slice(2)}`;

describe("the audit trail", () => {
  it("keeps the handler's row, in its transaction, masked, and no second one", async () => {
    const id = rid();
    const r = await post("/things/7/act", { ...asOperator("olga", "officer"), "x-request-id": id });
    expect(r.status).toBe(200);
    const rows = await rowsFor(id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      operator_name: "olga",
      operator_id: "test-olga",
      role: "officer",
      action: "thing.act",
      target: "thing:7",
      outcome: "ALLOWED",
      status: 200,
      summary: { firstName: "I***", passportNumber: "***56" },
    });
  });

  it("writes the row of a refusal whose transaction rolled the handler's row back", async () => {
    const id = rid();
    const r = await post("/things/8/act", { ...asOperator("olga", "officer"), "x-request-id": id }, { fail: true });
    expect(r.status).toBe(409);
    const rows = await rowsFor(id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: "thing.act",
      target: "thing:8",
      outcome: "FAILED",
      status: 409,
      error_code: "CONFLICT",
    });
  });

  it("records an operator's action its handler did not record, once", async () => {
    const id = rid();
    expect((await post("/plain", { ...asOperator("ivan", "operator"), "x-request-id": id })).status).toBe(200);
    const rows = await rowsFor(id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ operator_name: "ivan", action: "POST /plain", outcome: "ALLOWED", status: 200 });
  });

  it("records a refusal for the role (403), naming the operator", async () => {
    const id = rid();
    const r = await post("/risky", { ...asOperator("vera", "viewer"), "x-request-id": id });
    expect(r.status).toBe(403);
    expect(((await r.json()) as { error: unknown }).error).toMatchObject({
      code: "FORBIDDEN",
      details: [{ required: "risk" }],
    });
    const rows = await rowsFor(id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ operator_name: "vera", outcome: "REFUSED", status: 403, error_code: "FORBIDDEN" });
  });

  it("records an unknown caller's 401 with a masked prefix of its token, never the token", async () => {
    const id = rid();
    const token = "op_0123456789abcdef0123456789abcdef_not-the-admin-token";
    const r = await post("/admin-only", { authorization: `Bearer ${token}`, "x-request-id": id });
    expect(r.status).toBe(401);
    const rows = await rowsFor(id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ operator_name: "unknown", operator_id: null, outcome: "REFUSED", status: 401 });
    expect(rows[0]!.token_hint).toBe(`op_0…(${token.length})`);
    expect(JSON.stringify(rows[0])).not.toContain("0123456789abcdef");
  });

  it("records nothing for a read or a client's call", async () => {
    const id = rid();
    await fetch(`${server.url}/admin/audit`, { headers: { ...asOperator("vera", "viewer"), "x-request-id": id } });
    await post("/plain", { "x-request-id": id });
    expect(await rowsFor(id)).toHaveLength(0);
  });

  it("refuses to change or remove a row, for anyone", async () => {
    const id = rid();
    await post("/plain", { ...asOperator("ivan", "operator"), "x-request-id": id });
    for (const statement of [
      sql`update audit_log set operator_name = 'someone else' where request_id = ${id}`,
      sql`delete from audit_log where request_id = ${id}`,
      sql`truncate audit_log`,
    ]) {
      await expect(statement.execute(handle.db)).rejects.toThrow(/audit_log is append-only/);
    }
    expect(await rowsFor(id)).toMatchObject([{ operator_name: "ivan" }]);
  });

  it("lists the trail newest first, by operator, target and action, page by page", async () => {
    for (const n of [1, 2, 3]) {
      const r = await post(`/things/list-${n}/act`, asOperator("lena", "officer"));
      expect(r.status, await r.text()).toBe(200);
    }
    const get = async (q: string, who = asOperator("vera", "viewer")) => {
      const r = await fetch(`${server.url}/admin/audit?${q}`, { headers: who });
      // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON came back
      return { status: r.status, body: (await r.json()) as any };
    };
    const first = await get("operator=lena&action=thing.act&limit=2");
    expect(first.status).toBe(200);
    expect(first.body.items.map((e: { target: string }) => e.target)).toEqual(["thing:list-3", "thing:list-2"]);
    const next = await get(`operator=lena&limit=2&after=${first.body.nextCursor}`);
    expect(next.body.items.map((e: { target: string }) => e.target)).toEqual(["thing:list-1"]);
    expect(next.body.nextCursor).toBeNull();
    expect((await get("target=thing:list-2")).body.items).toHaveLength(1);
    expect((await get("operator=a%00b")).status).toBe(400);
    expect((await get("after=not-a-cursor")).status).toBe(400);
    expect((await get("operator=lena", {})).status).toBe(401);
  });
});
