import Router from "@koa/router";
import { createTestDatabase, type TestDatabase } from "@loans/db/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Approvals, createApprovals } from "../src/approvals/approvals.ts";
import { approvalSettings } from "../src/approvals/config.ts";
import { approvalRoutes } from "../src/approvals/routes.ts";
import { createDatabase, type DatabaseHandle } from "../src/db.ts";
import { createBaseApp } from "../src/http/app.ts";
import { AppError } from "../src/http/errors.ts";
import { listen, type RunningServer } from "../src/http/server.ts";
import { createLogger } from "../src/log.ts";
import { asOperator, testOperators } from "../test-kit/operators.ts";

// biome-ignore lint/suspicious/noExplicitAny: the tables are reached through raw SQL only
type AnyDB = any;

let database: TestDatabase;
let handle: DatabaseHandle<AnyDB>;
let server: RunningServer;
let approvals: Approvals<AnyDB>;
/** How many times the registered action ran, by gadget code. */
const runs = new Map<string, number>();

beforeAll(async () => {
  database = await createTestDatabase("pe");
  handle = createDatabase<AnyDB>(database.url);
  await sql`create table gadgets (code text primary key, name text not null)`.execute(handle.db);
  const app = createBaseApp({
    service: "test",
    pool: handle.pool,
    log: createLogger("test", "silent"),
    serviceSecret: "s".repeat(32),
  });
  app.use(testOperators());
  approvals = createApprovals<AnyDB>({ db: handle.db, settings: { ttlHours: 2 } });
  approvals.registerApprovalAction<{ code: string; name: string }>("gadget.create", {
    role: "risk",
    run: async (trx, request) => {
      runs.set(request.code, (runs.get(request.code) ?? 0) + 1);
      // Slow enough that concurrent approvals overlap.
      await sql`select pg_sleep(0.05)`.execute(trx);
      const { rows } = await sql`insert into gadgets values (${request.code}, ${request.name})
        on conflict do nothing returning code, name`.execute(trx);
      if (rows.length === 0) throw new AppError("CONFLICT", `gadget ${request.code} exists`);
      return rows[0];
    },
  });
  const router = new Router();
  router.post("/gadgets", async (ctx) => {
    const request = ctx.request.body as { code: string; name: string };
    ctx.body = await handle.db
      .transaction()
      .execute((trx) =>
        approvals.request(trx, ctx, { action: "gadget.create", target: `gadget:${request.code}`, request }),
      );
    ctx.status = 202;
  });
  app.use(router.routes());
  app.use(approvalRoutes({ approvals }).routes());
  server = await listen(app, 0);
});
afterAll(async () => {
  await server?.close();
  await handle?.close();
  await database?.drop();
});

// biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON came back
type Json = any;

async function call(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<{ status: number; body: Json }> {
  const r = await fetch(`${server.url}${path}`, {
    method,
    headers: { ...(body !== undefined && { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
}

const anna = asOperator("anna", "risk");
const boris = asOperator("boris", "risk");
const vera = asOperator("vera", "viewer");
let n = 0;
const newCode = () => `G-${Date.now()}-${n++}`;

async function requestGadget(code = newCode(), who = anna) {
  const r = await call("POST", "/gadgets", who, { code, name: `Gadget ${code}` });
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  return { code, id: r.body.approval.id as string, body: r.body };
}

const gadget = async (code: string) =>
  (await sql<{ name: string }>`select name from gadgets where code = ${code}`.execute(handle.db)).rows[0];

async function trail(target: string) {
  const { rows } = await sql<{
    action: string;
    operator_name: string;
    outcome: string;
    status: number;
    error_code: string | null;
  }>`
    select action, operator_name, outcome, status, error_code from audit_log where target = ${target} order by id`.execute(
    handle.db,
  );
  return rows;
}

describe("four-eyes approval", () => {
  it("a request answers 202 PENDING and does nothing yet", async () => {
    const { code, body } = await requestGadget();
    expect(body).toEqual({
      approval: {
        id: expect.any(String),
        status: "PENDING",
        action: "gadget.create",
        target: `gadget:${code}`,
        requestedBy: { id: "test-anna", name: "anna", role: "risk" },
        expiresAt: expect.any(String),
      },
    });
    const hours = (Date.parse(body.approval.expiresAt) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(1.9);
    expect(hours).toBeLessThanOrEqual(2);
    expect(await gadget(code)).toBeUndefined();
    expect(await trail(`gadget:${code}`)).toMatchObject([
      { action: "approval.request", operator_name: "anna", status: 202 },
    ]);
  });

  it("another operator with the role approves: the action runs, as asked", async () => {
    const { code, id } = await requestGadget();
    const r = await call("POST", `/admin/approvals/${id}/approve`, boris);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.approval).toMatchObject({
      status: "APPROVED",
      request: { code, name: `Gadget ${code}` },
      decidedBy: { id: "test-boris", name: "boris" },
      result: { code, name: `Gadget ${code}` },
    });
    expect(await gadget(code)).toEqual({ name: `Gadget ${code}` });
    expect(await trail(`gadget:${code}`)).toMatchObject([
      { action: "approval.request", operator_name: "anna", outcome: "ALLOWED" },
      { action: "approval.approve", operator_name: "boris", outcome: "ALLOWED", status: 200 },
    ]);
    const again = await call("POST", `/admin/approvals/${id}/approve`, boris);
    expect(again.status).toBe(200);
    expect(again.body.approval.status).toBe("APPROVED");
    expect(runs.get(code)).toBe(1);
  });

  it("the requester approving is refused 403 SAME_OPERATOR, and nothing runs", async () => {
    const { code, id } = await requestGadget();
    const r = await call("POST", `/admin/approvals/${id}/approve`, anna);
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe("SAME_OPERATOR");
    expect(await gadget(code)).toBeUndefined();
    expect((await call("GET", `/admin/approvals/${id}`, vera)).body.approval.status).toBe("PENDING");
    expect(await trail(`gadget:${code}`)).toMatchObject([
      { action: "approval.request" },
      {
        action: "approval.approve",
        operator_name: "anna",
        outcome: "REFUSED",
        status: 403,
        error_code: "SAME_OPERATOR",
      },
    ]);
  });

  it("an operator whose role may not approve is refused 403 FORBIDDEN", async () => {
    const { id } = await requestGadget();
    const r = await call("POST", `/admin/approvals/${id}/approve`, vera);
    expect(r.status).toBe(403);
    expect(r.body.error).toMatchObject({ code: "FORBIDDEN", details: [{ required: "risk" }] });
  });

  it("a rejected request never runs; the requester may reject it too", async () => {
    const first = await requestGadget();
    const r = await call("POST", `/admin/approvals/${first.id}/reject`, boris);
    expect(r.status).toBe(200);
    expect(r.body.approval).toMatchObject({ status: "REJECTED", decidedBy: { name: "boris" } });
    const approve = await call("POST", `/admin/approvals/${first.id}/approve`, asOperator("carl", "admin"));
    expect(approve.status).toBe(409);
    expect(approve.body.error.code).toBe("APPROVAL_DECIDED");
    expect(await gadget(first.code)).toBeUndefined();
    const own = await requestGadget();
    expect((await call("POST", `/admin/approvals/${own.id}/reject`, anna)).body.approval.status).toBe("REJECTED");
    expect(await trail(`gadget:${first.code}`)).toMatchObject([
      { action: "approval.request" },
      { action: "approval.reject", operator_name: "boris", outcome: "ALLOWED" },
      { action: "approval.approve", operator_name: "carl", outcome: "FAILED", status: 409 },
    ]);
  });

  it("an expired request reads EXPIRED, and approving it answers 409 APPROVAL_EXPIRED and marks it", async () => {
    const { code, id } = await requestGadget();
    await sql`update approvals set expires_at = now() - interval '1 second' where id = ${id}`.execute(handle.db);
    expect((await call("GET", `/admin/approvals/${id}`, vera)).body.approval.status).toBe("EXPIRED");
    const listed = await call("GET", "/admin/approvals?status=EXPIRED&limit=100", vera);
    expect(listed.body.items.map((a: { id: string }) => a.id)).toContain(id);
    const r = await call("POST", `/admin/approvals/${id}/approve`, boris);
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe("APPROVAL_EXPIRED");
    const stored = await sql<{ status: string }>`select status from approvals where id = ${id}`.execute(handle.db);
    expect(stored.rows[0]!.status).toBe("EXPIRED");
    expect(await gadget(code)).toBeUndefined();
    expect(await trail(`gadget:${code}`)).toMatchObject([
      { action: "approval.request" },
      { action: "approval.approve", operator_name: "boris", outcome: "FAILED", error_code: "APPROVAL_EXPIRED" },
    ]);
  });

  it("concurrent approvals run the action exactly once", async () => {
    const { code, id } = await requestGadget();
    const approvers = ["boris", "carl", "dina", "egor", "fedor", "gleb"].map((name) => asOperator(name, "risk"));
    const answers = await Promise.all(approvers.map((who) => call("POST", `/admin/approvals/${id}/approve`, who)));
    expect(answers.map((a) => a.status)).toEqual(approvers.map(() => 200));
    expect(new Set(answers.map((a) => a.body.approval.decidedBy.name)).size).toBe(1);
    expect(runs.get(code)).toBe(1);
    expect(await gadget(code)).toBeDefined();
  });

  it("an action that refuses at approval marks the approval FAILED with its error, and undoes its writes", async () => {
    const code = newCode();
    const a = await requestGadget(code);
    const b = await requestGadget(code);
    expect((await call("POST", `/admin/approvals/${a.id}/approve`, boris)).status).toBe(200);
    const r = await call("POST", `/admin/approvals/${b.id}/approve`, boris);
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe("CONFLICT");
    const failed = (await call("GET", `/admin/approvals/${b.id}`, vera)).body.approval;
    expect(failed).toMatchObject({ status: "FAILED", result: { error: { code: "CONFLICT" } } });
    expect(
      (await call("GET", "/admin/approvals?status=FAILED", vera)).body.items.map((x: { id: string }) => x.id),
    ).toContain(b.id);
  });

  it("answers 404 for an unknown or malformed id, 400 for a NUL or a bad filter, 401 without an operator", async () => {
    expect((await call("POST", `/admin/approvals/${crypto.randomUUID()}/approve`, boris)).status).toBe(404);
    expect((await call("POST", "/admin/approvals/not-an-id/approve", boris)).status).toBe(404);
    // A NUL anywhere in a request is refused by the kit before any route (http/text-guard.ts).
    expect((await call("POST", "/admin/approvals/%00/approve", boris)).status).toBe(400);
    expect((await call("GET", "/admin/approvals?status=MAYBE", vera)).status).toBe(400);
    expect((await call("GET", "/admin/approvals?after=zzz", vera)).status).toBe(400);
    expect((await call("GET", "/admin/approvals", {})).status).toBe(401);
    expect((await call("POST", "/gadgets", anna, { code: "N\u0000UL", name: "x" })).status).toBe(400);
  });

  it("lists newest first, page by page", async () => {
    const mine = [await requestGadget(), await requestGadget(), await requestGadget()].map((g) => g.id).reverse();
    const first = await call("GET", "/admin/approvals?status=PENDING&limit=2", vera);
    expect(first.body.items.map((a: { id: string }) => a.id)).toEqual(mine.slice(0, 2));
    const next = await call("GET", `/admin/approvals?status=PENDING&limit=2&after=${first.body.nextCursor}`, vera);
    expect(next.body.items[0].id).toBe(mine[2]);
  });

  it("reads APPROVAL_TTL_HOURS, 24 unless set, and names a bad value", () => {
    expect(approvalSettings({})).toEqual({ ttlHours: 24 });
    expect(approvalSettings({ APPROVAL_TTL_HOURS: "6" })).toEqual({ ttlHours: 6 });
    expect(() => approvalSettings({ APPROVAL_TTL_HOURS: "0" })).toThrow(/APPROVAL_TTL_HOURS/);
  });
});
