import { createServer, type Server } from "node:net";
import { serviceEntry } from "@loans/db/services";
import { createTestDatabase, type TestDatabase } from "@loans/db/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commonEnv } from "../src/config.ts";
import { createBaseApp } from "../src/http/app.ts";
import { defineService, startService, type Worker } from "../src/kit/start-service.ts";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase("pe");
});
afterAll(() => database?.drop());

const config = (port = 0) => ({
  ...commonEnv.parse({ LOG_LEVEL: "silent" }),
  PE_PORT: port,
  PE_HOST: "127.0.0.1",
  PE_DATABASE_URL: database.url,
});

/** A worker that records its starts and stops in `events`, and throws from `start` when told to. */
function worker(name: string, events: string[], failStart = false): Worker {
  return {
    async start() {
      events.push(`start ${name}`);
      if (failStart) throw new Error(`${name} cannot start`);
    },
    async stop() {
      events.push(`stop ${name}`);
    },
  };
}

const spec = (events: string[], workers: Record<string, Worker>, port = 0) =>
  defineService({
    service: serviceEntry("pe"),
    config: config(port),
    workers: () => workers,
    app: (deps) => {
      events.push("app");
      return createBaseApp({
        service: "pe",
        pool: deps.pool,
        log: deps.log,
        serviceSecret: deps.config.SERVICE_SECRET,
      });
    },
  });

/** Sessions on the test database other than this one: the service's pools and pg-boss's, if left open. */
async function sessions(): Promise<number> {
  const c = new pg.Client({ connectionString: database.url });
  await c.connect();
  try {
    // A closed pool's sessions end a moment after its `end` resolves: give them that moment.
    for (let i = 0; ; i++) {
      const { rows } = await c.query<{ n: number }>(
        "select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()",
      );
      if (rows[0]!.n === 0 || i >= 40) return rows[0]!.n;
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await c.end();
  }
}

describe("startService", () => {
  it("starts the workers in order before listening, and stops everything in reverse", async () => {
    const events: string[] = [];
    const running = await startService(spec(events, { a: worker("a", events), b: worker("b", events) }));
    expect((await fetch(`${running.url}/ready`)).status).toBe(200);
    await running.stop();
    expect(events).toEqual(["start a", "start b", "app", "stop b", "stop a"]);
    await expect(fetch(`${running.url}/health`)).rejects.toThrow();
    expect(await sessions()).toBe(0);
  });

  it("a worker whose start throws: the error surfaces, what started is stopped, no session stays open", async () => {
    const events: string[] = [];
    const started = startService(
      spec(events, { a: worker("a", events), b: worker("b", events, true), c: worker("c", events) }),
    );
    await expect(started).rejects.toThrow("b cannot start");
    // b is stopped too: its start may have done half its work. c never started, the app was never made.
    expect(events).toEqual(["start a", "start b", "stop b", "stop a"]);
    expect(await sessions()).toBe(0);
  });

  it("a port already taken: EADDRINUSE surfaces, the workers are stopped, no session stays open", async () => {
    const taken: Server = createServer();
    await new Promise<void>((r) => taken.listen(0, "127.0.0.1", r));
    const port = (taken.address() as { port: number }).port;
    try {
      const events: string[] = [];
      await expect(startService(spec(events, { a: worker("a", events) }, port))).rejects.toMatchObject({
        code: "EADDRINUSE",
      });
      expect(events).toEqual(["start a", "app", "stop a"]);
      expect(await sessions()).toBe(0);
    } finally {
      taken.close();
    }
  });

  it("an unreachable database: the connection error surfaces and the pool is closed", async () => {
    const events: string[] = [];
    const s = spec(events, { a: worker("a", events) });
    const unreachable = { ...s, config: { ...s.config, PE_DATABASE_URL: "postgres://postgres@127.0.0.1:1/pe" } };
    await expect(startService(unreachable)).rejects.toMatchObject({ code: "ECONNREFUSED" });
    expect(events).toEqual([]);
  });
});
