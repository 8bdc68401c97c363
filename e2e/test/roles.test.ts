/**
 * Every route of every service × every role, generated from the services' own OpenAPI documents (each
 * operation's `x-role` and security, which come from the RouteDocs the access guard enforces): an operator
 * whose role allows the route is let through (whatever the handler then says of an empty request), any other
 * gets 403 naming the role needed. One registry serves the three services. And the refusals of bad
 * credentials: clear 4xx, nothing written.
 */
import { randomUUID } from "node:crypto";
import { SERVICES, type ServiceName } from "@loans/db/services";
import { createTestDatabase, type TestDatabase } from "@loans/db/testing";
import { OperatorRegistry } from "@loans/shared/operators/registry";
import { allows, ROLES, type Role } from "@loans/shared/operators/roles";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSystem, type TestSystem } from "../kit/test-system.ts";

const ADMIN = "roles-admin-token-0123456789";
const KEY = "roles-client-key-0123456789";
let sys: TestSystem;
let registryDb: TestDatabase;
const tokens = {} as Record<Role, string>;
const urlOf = (s: ServiceName) => sys.system.services[s][0]!.url;

beforeAll(async () => {
  registryDb = await createTestDatabase("operators");
  sys = await startTestSystem({ ADMIN_TOKEN: ADMIN, API_KEYS: KEY, OPERATORS_DATABASE_URL: registryDb.url });
  // Each operator added through a different service: one registry behind them all.
  for (const [i, role] of ROLES.entries()) {
    const s = SERVICES[i % SERVICES.length]!.name;
    const r = await send(s, "POST", "/admin/operators", ADMIN, { name: `roles.${role}`, role });
    expect(r.status).toBe(201);
    tokens[role] = r.body.token.token;
  }
}, 120_000);
afterAll(async () => {
  await sys?.stop();
  await registryDb?.drop();
});

async function send(
  s: ServiceName,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
  headers = {},
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON came back
): Promise<{ status: number; body: any; headers: Headers }> {
  const r = await fetch(`${urlOf(s)}${path}`, {
    method,
    headers: {
      ...(token && { authorization: `Bearer ${token}` }),
      ...(body !== undefined && { "content-type": "application/json" }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined, headers: r.headers };
}

interface Operation {
  service: ServiceName;
  method: string;
  path: string;
  role: Role;
  apiKey: boolean;
}

async function operations(): Promise<Operation[]> {
  const out: Operation[] = [];
  for (const { name } of SERVICES) {
    const doc = (await send(name, "GET", "/openapi.json")).body;
    for (const [path, methods] of Object.entries<Record<string, { "x-role"?: Role; security: object[] }>>(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        if (path.startsWith("/internal/")) continue;
        // Every operation outside /internal/ declares its role: the guard has nothing else to go by.
        expect(op["x-role"], `${name} ${method} ${path}`).toBeDefined();
        const apiKey = op.security.some((s) => "apiKey" in s);
        out.push({ service: name, method: method.toUpperCase(), path, role: op["x-role"]!, apiKey });
      }
    }
  }
  return out;
}

// A path's parameters filled with ids that name nothing: an allowed call reaches its handler, finds nothing.
const concrete = (path: string) => path.replace(/\{[^}]+\}/g, () => randomUUID());

const refused = (status: number) => status === 401 || status === 403;

describe("every route × every role", () => {
  it("lets through each role its route allows and refuses the others with 403 naming the role needed", async () => {
    const ops = await operations();
    // The three documents together: the kit's routes on each service, plus each service's own.
    expect(ops.length).toBeGreaterThan(30);
    const before = await registryCounts();
    const wrong: string[] = [];
    for (const op of ops) {
      const path = concrete(op.path);
      for (const role of ROLES) {
        const r = await send(op.service, op.method, path, tokens[role]);
        const ok = allows(role, op.role)
          ? !refused(r.status)
          : r.status === 403 && r.body.error.code === "FORBIDDEN" && r.body.error.details[0].required === op.role;
        if (!ok) wrong.push(`${role} → ${op.service} ${op.method} ${op.path} (needs ${op.role}): ${r.status}`);
      }
      const anonymous = await send(op.service, op.method, path);
      if (anonymous.status !== 401) wrong.push(`no token → ${op.service} ${op.method} ${op.path}: ${anonymous.status}`);
      const client = await send(op.service, op.method, path, KEY);
      if (refused(client.status) === op.apiKey)
        wrong.push(`API key → ${op.service} ${op.method} ${op.path}: ${client.status}`);
    }
    expect(wrong).toEqual([]);
    // Empty requests: the allowed ones were refused by their handlers (400, 404), nothing was added.
    expect(await registryCounts()).toEqual(before);
  }, 120_000);
});

async function registryCounts() {
  const c = new pg.Client({ connectionString: registryDb.url });
  await c.connect();
  try {
    const { rows } = await c.query(
      "select (select count(*) from operators)::int as operators, (select count(*) from operator_tokens)::int as tokens",
    );
    return rows[0];
  } finally {
    await c.end();
  }
}

async function peCounts() {
  const c = new pg.Client({ connectionString: sys.peDb.url });
  await c.connect();
  try {
    return (
      await c.query(
        "select (select count(*) from agreements)::int as agreements, (select count(*) from products)::int as products",
      )
    ).rows[0];
  } finally {
    await c.end();
  }
}

describe("bad credentials and bad input", () => {
  const product = {
    code: "RX1",
    name: "Roles",
    minTermMonths: 3,
    maxTermMonths: 12,
    minPrincipal: "1000.00",
    maxPrincipal: "2000.00",
    minInterestRate: "5",
    maxInterestRate: "10",
    minOriginationFee: "0.00",
    maxOriginationFee: "100.00",
  };

  it("refuses an unknown token, a malformed header and a token of another registry with 401, writing nothing", async () => {
    const elsewhere = await createTestDatabase("operators");
    const theirs = OperatorRegistry.open(elsewhere.url);
    const { token: foreign } = await theirs.addOperator({ name: "roles.admin", role: "admin" }, "test");
    await theirs.close();
    await elsewhere.drop();
    const before = [await registryCounts(), await peCounts()];
    const unknown = `op_${randomUUID().replaceAll("-", "")}_${"x".repeat(43)}`;
    for (const authorization of [
      `Bearer ${unknown}`,
      `Bearer ${foreign.token}`,
      `Basic ${ADMIN}`,
      "Bearer",
      tokens.admin,
      `Bearer ${ADMIN} extra`,
    ]) {
      for (const s of SERVICES) {
        const r = await send(
          s.name,
          "POST",
          "/admin/operators",
          undefined,
          { name: "roles.mallory", role: "admin" },
          { authorization },
        );
        expect(r.status, `${authorization} on ${s.name}`).toBe(401);
        expect(r.body.error.code).toBe("UNAUTHORIZED");
        expect(r.headers.get("www-authenticate")).toBe('Bearer realm="admin"');
      }
      expect((await send("pe", "POST", "/products", undefined, product, { authorization })).status).toBe(401);
    }
    expect([await registryCounts(), await peCounts()]).toEqual(before);
  });

  it("refuses a revoked token at once on the service that revoked it", async () => {
    const added = await send("gateway", "POST", "/admin/operators", ADMIN, { name: "roles.leaver", role: "officer" });
    const { operator, token } = added.body;
    expect((await send("gateway", "GET", "/payments", token.token)).status).toBe(200);
    const revoked = await send("gateway", "DELETE", `/admin/operators/${operator.id}/tokens/${token.id}`, ADMIN);
    expect(revoked.status).toBe(204);
    const r = await send("gateway", "GET", "/payments", token.token);
    expect(r.status).toBe(401);
    expect(r.body.error.message).toMatch(/not valid/);
    expect((await send("gateway", "DELETE", `/admin/operators/${operator.id}/tokens/${token.id}`, ADMIN)).status).toBe(
      404,
    );
  });

  it("refuses a role that does not exist, a bad name and a duplicate, naming the allowed roles, writing nothing", async () => {
    const before = await registryCounts();
    const bad = await send("origination", "POST", "/admin/operators", ADMIN, { name: "roles.x", role: "superuser" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("VALIDATION_FAILED");
    expect(bad.body.error.details[0]).toMatchObject({
      path: "role",
      message: "must be one of viewer, officer, operator, risk, admin",
    });
    for (const body of [
      { name: "has space", role: "viewer" },
      { name: "roles.y" },
      { name: "roles.z", role: "viewer", extra: 1 },
      [],
      "x",
    ])
      expect((await send("pe", "POST", "/admin/operators", ADMIN, body)).status).toBe(400);
    const dup = await send("pe", "POST", "/admin/operators", ADMIN, { name: "roles.viewer", role: "admin" });
    expect(dup.status).toBe(409);
    expect(dup.body.error.details).toEqual([{ path: "name", message: "exists" }]);
    expect(await registryCounts()).toEqual(before);
  });

  it("lets a viewer read but not create a product, and names the role it lacks", async () => {
    const before = await peCounts();
    const r = await send("pe", "POST", "/products", tokens.viewer, product);
    expect(r.status).toBe(403);
    expect(r.body.error).toMatchObject({ code: "FORBIDDEN", details: [{ path: "authorization", required: "admin" }] });
    expect(await peCounts()).toEqual(before);
    expect((await send("pe", "GET", "/products", tokens.viewer)).status).toBe(200);
    // Four eyes: an admin only asks; the product exists once another admin approves.
    expect((await send("pe", "POST", "/products", tokens.admin, product)).status).toBe(202);
  });

  it("lists the operators without a secret, and issues another token that works on every service", async () => {
    const list = await send("origination", "GET", "/admin/operators", tokens.admin);
    expect(list.status).toBe(200);
    const officer = list.body.items.find((o: { name: string }) => o.name === "roles.officer");
    expect(officer).toMatchObject({ role: "officer", createdBy: "bootstrap-admin" });
    expect(JSON.stringify(list.body)).not.toContain(tokens.officer.slice(36));
    const issued = await send("pe", "POST", `/admin/operators/${officer.id}/tokens`, tokens.admin);
    expect(issued.status).toBe(201);
    for (const s of SERVICES)
      expect((await send(s.name, "GET", "/admin/outbox", issued.body.token.token)).status).toBe(200);
  });
});
