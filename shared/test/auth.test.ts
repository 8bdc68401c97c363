import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import Router from "@koa/router";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commonEnv, DEV_SERVICE_SECRET, productionGuards } from "../src/config.ts";
import { createBaseApp } from "../src/http/app.ts";
import { SIGNATURE_HEADER, signRequest, verifyRequest } from "../src/http/service-auth.ts";
import { createLogger } from "../src/log.ts";
import { accessGuard } from "../src/operators/guard.ts";

const OLD = "old-secret-0123456789abcdef";
const NEW = "new-secret-0123456789abcdef";
const API_KEY = "api-key-0123456789";
const ADMIN = "admin-token-0123456789";
const batch = { method: "POST", path: "/internal/decisions", body: '{"messages":[]}' };

describe("service signatures", () => {
  it("cover the method and the path: a batch signed for one endpoint is refused at another", () => {
    const header = signRequest(NEW, batch)[SIGNATURE_HEADER];
    expect(verifyRequest(NEW, header, batch)).toBeNull();
    expect(verifyRequest(NEW, header, { ...batch, path: "/internal/applications" })).toBe("wrong signature");
    expect(verifyRequest(NEW, header, { ...batch, path: "/INTERNAL/decisions" })).toBe("wrong signature");
    expect(verifyRequest(NEW, header, { ...batch, method: "PUT" })).toBe("wrong signature");
    expect(verifyRequest(NEW, header, { ...batch, body: '{"messages":[] }' })).toBe("wrong signature");
  });

  it("rotate without downtime: the first secret signs, any verifies, a retired one is refused", () => {
    const byOld = signRequest(OLD, batch)[SIGNATURE_HEADER];
    // 1. NEW is added as accepted everywhere, OLD still signs.
    expect(verifyRequest(`${OLD},${NEW}`, byOld, batch)).toBeNull();
    // 2. NEW becomes the signer; a message OLD signed a moment ago, or an instance not yet moved, still passes.
    const byNew = signRequest(`${NEW},${OLD}`, batch)[SIGNATURE_HEADER];
    expect(verifyRequest(`${OLD},${NEW}`, byNew, batch)).toBeNull();
    expect(verifyRequest(`${NEW},${OLD}`, byOld, batch)).toBeNull();
    expect(verifyRequest(NEW, byNew, batch)).toBeNull();
    // 3. OLD is retired.
    expect(verifyRequest(NEW, byOld, batch)).toBe("wrong signature");
    expect(verifyRequest([NEW], byOld, batch)).toBe("wrong signature");
  });

  it("are refused when stale, missing or malformed", () => {
    expect(verifyRequest(NEW, signRequest(NEW, batch, Date.now() - 3_600_000)[SIGNATURE_HEADER], batch)).toBe(
      "stale signature",
    );
    expect(verifyRequest(NEW, undefined, batch)).toBe("missing signature");
    expect(verifyRequest(NEW, "t=1,v1=zz", batch)).toBe("malformed signature");
  });
});

describe("SERVICE_SECRET", () => {
  const parse = (env: Record<string, string>) => commonEnv.superRefine(productionGuards).safeParse(env);
  const production = { NODE_ENV: "production", API_KEYS: API_KEY, ADMIN_TOKEN: ADMIN };

  it("takes a comma-separated list, each secret at least 16 characters", () => {
    expect(parse({ SERVICE_SECRET: `${NEW},${OLD}` }).success).toBe(true);
    expect(parse({ SERVICE_SECRET: `${NEW},short` }).success).toBe(false);
    expect(parse({ SERVICE_SECRET: `${NEW},` }).success).toBe(false);
  });

  it("refuses the development default in production, alone or in a list", () => {
    expect(parse({ ...production, SERVICE_SECRET: NEW }).success).toBe(true);
    expect(parse({ ...production }).success).toBe(false);
    expect(parse({ ...production, SERVICE_SECRET: `${NEW},${DEV_SERVICE_SECRET}` }).success).toBe(false);
  });
});

describe("a service's 401s and its readiness probe", () => {
  let server: Server;
  let url: string;
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split("\n")) if (l) lines.push(JSON.parse(l));
      done();
    },
  });
  // A pool whose database is not there: /ready must fail, and say nothing of why to the caller.
  const pool = new pg.Pool({ connectionString: "postgres://nobody@127.0.0.1:9/none", connectionTimeoutMillis: 2000 });

  beforeAll(async () => {
    const router = new Router()
      .post("/internal/decisions", (ctx) => {
        ctx.body = { results: [] };
      })
      .get("/things", (ctx) => {
        ctx.body = { items: [] };
      })
      .post("/things", (ctx) => {
        ctx.status = 201;
      });
    const docs = [
      { method: "post", path: "/internal/decisions", access: "service" },
      { method: "get", path: "/things", access: { role: "viewer", apiKey: true } },
      { method: "post", path: "/things", access: { role: "admin" } },
    ] as const;
    const app = createBaseApp({
      service: "test",
      pool,
      log: createLogger("test", "warn", { destination }),
      serviceSecret: `${NEW},${OLD}`,
      access: accessGuard({ routers: [router], docs, apiKeys: [API_KEY], adminToken: ADMIN }),
    });
    app.use(router.routes());
    server = createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await pool.end();
  });

  const post = (path: string, signedFor: string, secret: string) =>
    fetch(`${url}${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...signRequest(secret, { method: "POST", path: signedFor, body: batch.body }),
      },
      body: batch.body,
    });

  it("challenges a missing or wrong API key with Bearer", async () => {
    for (const auth of [undefined, "Bearer nope-nope-nope-nope"]) {
      const r = await fetch(`${url}/things`, { headers: auth ? { authorization: auth } : {} });
      expect(r.status).toBe(401);
      expect(r.headers.get("www-authenticate")).toBe('Bearer realm="api"');
    }
    expect((await fetch(`${url}/things`, { headers: { authorization: `Bearer ${API_KEY}` } })).status).toBe(200);
  });

  it("challenges an API key on an admin endpoint with the admin realm", async () => {
    const r = await fetch(`${url}/things`, { method: "POST", headers: { authorization: `Bearer ${API_KEY}` } });
    expect(r.status).toBe(401);
    expect(r.headers.get("www-authenticate")).toBe('Bearer realm="admin"');
  });

  it("accepts a batch signed for its endpoint with either secret, and challenges the rest with Signature", async () => {
    expect((await post("/internal/decisions", "/internal/decisions", NEW)).status).toBe(200);
    expect((await post("/internal/decisions", "/internal/decisions", OLD)).status).toBe(200);
    for (const r of [
      await post("/internal/decisions", "/internal/applications", NEW),
      await post("/internal/decisions", "/internal/decisions", "retired-secret-0123456789"),
    ]) {
      expect(r.status).toBe(401);
      expect(r.headers.get("www-authenticate")).toBe('Signature realm="internal", headers="X-Signature"');
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe("UNAUTHORIZED");
    }
  });

  it("answers /ready with a fixed reason and logs what the database said", async () => {
    const r = await fetch(`${url}/ready`);
    expect(r.status).toBe(503);
    const text = await r.text();
    expect(JSON.parse(text)).toEqual({ error: { code: "NOT_READY", message: "database unreachable", details: [] } });
    expect(text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|nobody/);
    const line = lines.find((l) => String(l.msg).startsWith("readiness check failed"));
    expect(line).toBeDefined();
    expect(JSON.stringify(line)).toContain("ECONNREFUSED");
    expect((line!.err as { stack?: string }).stack).toBeTruthy();
  });
});
