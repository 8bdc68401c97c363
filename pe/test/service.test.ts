import { spawn } from "node:child_process";
import { join } from "node:path";
import { createTestDatabase, type TestDatabase } from "@loans/db/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadPeConfig } from "../src/config.ts";
import { startPe } from "../src/service.ts";

const root = join(import.meta.dirname, "..", "..");
let database: TestDatabase;
let pe: Awaited<ReturnType<typeof startPe>>;

beforeAll(async () => {
  database = await createTestDatabase("pe");
  pe = await startPe(
    loadPeConfig({
      PE_DATABASE_URL: database.url,
      PE_PORT: "0",
      LOG_LEVEL: "silent",
      ORIGINATION_URL: "http://127.0.0.1:9",
    }),
  );
});
afterAll(async () => {
  await pe?.stop();
  await database?.drop();
});

describe("PE service shell", () => {
  it("answers /health and /ready", async () => {
    const health = await fetch(`${pe.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok", service: "pe" });
    const ready = await fetch(`${pe.url}/ready`);
    expect(ready.status).toBe(200);
  });

  it("renders an unknown route as a JSON 404 in the error shape", async () => {
    const r = await fetch(`${pe.url}/no-such-thing`);
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({ error: { code: "NOT_FOUND", message: expect.any(String), details: [] } });
  });

  it("survives its database connections being cut, as in a database restart", async () => {
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    await admin.query(
      "select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()",
      [database.name],
    );
    await admin.end();
    let status = 0;
    for (let i = 0; i < 20 && status !== 200; i++) {
      status = (await fetch(`${pe.url}/ready`)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
    expect((await fetch(`${pe.url}/health`)).status).toBe(200);
  });

  it("exits non-zero with a one-line reason when its database is unreachable", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", join(root, "pe/src/main.ts")], {
      cwd: root,
      env: { ...process.env, PE_DATABASE_URL: "postgres://postgres@127.0.0.1:1/pe", PE_PORT: "0" },
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const code = await new Promise<number | null>((r) => child.on("close", r));
    expect(code).not.toBe(0);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/^pe: cannot start: .*ECONNREFUSED/);
  });

  it("on SIGTERM stops and says so in one JSON line through its logger, exiting 0", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", join(root, "pe/src/main.ts")], {
      cwd: root,
      env: { ...process.env, PE_DATABASE_URL: database.url, PE_PORT: "0", LOG_LEVEL: "info" },
    });
    let stdout = "";
    child.stdout.on("data", (d) => (stdout += d));
    for (let i = 0; i < 200 && !stdout.includes('"msg":"listening"'); i++) await new Promise((r) => setTimeout(r, 50));
    child.kill("SIGTERM");
    const code = await new Promise<number | null>((r) => child.on("close", r));
    expect(code).toBe(0);
    const last = JSON.parse(stdout.trim().split("\n").at(-1)!);
    expect(last).toMatchObject({ level: "info", service: "pe", msg: "stopped on SIGTERM" });
  });

  it("refuses to start with every bad setting named in one error", () => {
    expect(() => loadPeConfig({ PE_DATABASE_URL: "mysql://x", PE_PORT: "70000" })).toThrow(
      /PE_DATABASE_URL[\s\S]*PE_PORT|PE_PORT[\s\S]*PE_DATABASE_URL/,
    );
    expect(() => loadPeConfig({ PE_DATABASE_URL: "postgres://x/pe", NODE_ENV: "production" })).toThrow(
      /SERVICE_SECRET[\s\S]*API_KEYS[\s\S]*ADMIN_TOKEN/,
    );
  });
});
