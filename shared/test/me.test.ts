import Koa from "koa";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commonEnv } from "../src/config.ts";
import { errorMiddleware } from "../src/http/errors.ts";
import { listen, type RunningServer } from "../src/http/server.ts";
import { createServiceApp } from "../src/kit/app.ts";
import { meRoutes } from "../src/kit/me.routes.ts";
import { createLogger } from "../src/log.ts";

const ADMIN = "admin-token-0123456789abcdef";
const KEY = "api-key-0123456789";

// GET /admin/me reads no database: a pool that is never connected is enough.
const pool = new pg.Pool({ connectionString: "postgres://nobody@127.0.0.1:1/none" });
const servers: RunningServer[] = [];

async function serve(env: Record<string, string>): Promise<string> {
  const config = commonEnv.parse({ LOG_LEVEL: "silent", ...env });
  const app = createServiceApp({ name: "pe", config, pool, log: createLogger("me-test", "silent") });
  const s = await listen(app, 0);
  servers.push(s);
  return s.url;
}

let secured: string;
let open: string;
beforeAll(async () => {
  secured = await serve({ ADMIN_TOKEN: ADMIN, API_KEYS: KEY });
  open = await serve({});
});
afterAll(async () => {
  for (const s of servers) await s.close();
  await pool.end();
});

const me = (url: string, token?: string) =>
  fetch(`${url}/admin/me`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

describe("GET /admin/me", () => {
  it("names the bootstrap admin for the admin token", async () => {
    const r = await me(secured, ADMIN);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ operator: { id: null, name: "bootstrap-admin", role: "admin" } });
  });

  // Both are refused by the access guard: the route takes an operator (viewer), never a client key.
  it.each([
    ["a client API key", KEY, /operator token/],
    ["no token", undefined, /operator token/],
  ])("refuses %s with 401 in the one error shape", async (_, token, says) => {
    const r = await me(secured, token);
    expect(r.status).toBe(401);
    expect(r.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const body = (await r.json()) as { error: { code: string; message: string; details: unknown[] } };
    expect(body.error.code).toBe("UNAUTHORIZED");
    expect(body.error.message).toMatch(says);
  });

  it("without an ADMIN_TOKEN (admin endpoints open) answers the bootstrap admin", async () => {
    const r = await me(open);
    expect(r.status).toBe(200);
    expect(((await r.json()) as { operator: { role: string } }).operator.role).toBe("admin");
  });

  it("answers the operator the guard set on ctx.state, whatever the bearer", async () => {
    const app = new Koa();
    app.silent = true;
    app.use(errorMiddleware(() => {}));
    app.use(async (ctx, next) => {
      ctx.state.operator = { id: "0b0e7a1e-0000-4000-8000-000000000001", name: "olga", role: "viewer", tokenId: "t" };
      await next();
    });
    app.use(meRoutes({ adminToken: ADMIN }).routes());
    const s = await listen(app, 0);
    servers.push(s);
    const r = await me(s.url, "op_whatever");
    expect(await r.json()).toEqual({
      operator: { id: "0b0e7a1e-0000-4000-8000-000000000001", name: "olga", role: "viewer" },
    });
  });
});
