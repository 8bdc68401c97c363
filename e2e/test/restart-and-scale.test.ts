import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureServiceDatabases } from "@loans/db";
import { type EmbeddedServer, startEmbedded } from "@loans/db/embedded";
import { waitFor } from "@loans/shared/test-kit/wait";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { converged, traffic } from "../kit/scenario.ts";
import { type System, startSystem } from "../kit/system.ts";

// A PostgreSQL of this file's own, so it can be restarted without disturbing the other test files.
let dir: string;
let server: EmbeddedServer;
let system: System;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "loans-restart-"));
  await chmod(dir, 0o755);
  server = await startEmbedded({ dir, persistent: true, fast: true });
  system = await startSystem({
    databases: await ensureServiceDatabases(server.url),
    instances: 2,
    env: { OUTBOX_BASE_DELAY_MS: "50", OUTBOX_MAX_DELAY_MS: "1000", OUTBOX_REQUEST_TIMEOUT_MS: "2000" },
  });
}, 120_000);
afterAll(async () => {
  await system?.stop();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("two instances of each service on one database", () => {
  it("share the work and converge, each instance having served requests", async () => {
    system.toOrigination.reset();
    system.toPe.reset();
    const load = traffic(system, { count: 80, concurrency: 4 });
    await load.done;
    const report = await converged(system);
    expect(report).toMatchObject({ lost: 0, duplicates: 0 });
    // The proxies alternate between the two instances of their peer.
    expect(system.toOrigination.counters().forwarded).toBeGreaterThanOrEqual(2);
    expect(system.toPe.counters().forwarded).toBeGreaterThanOrEqual(2);
  });

  it("a PostgreSQL restart under traffic: the services stay up and everything converges", async () => {
    const load = traffic(system, { count: 150, concurrency: 4 });
    await waitFor(() => load.progress().created >= 20, { what: "traffic to get going" });
    const port = server.port;
    await server.stop();
    await new Promise((r) => setTimeout(r, 1_000));
    server = await startEmbedded({ dir, port, persistent: true, fast: true });
    await load.done;
    const report = await converged(system, 90_000);
    expect(report).toMatchObject({ lost: 0, duplicates: 0 });
    for (const s of [...system.pe, ...system.origination]) {
      expect(s.running, `${s.name} :${s.port} died:\n${s.output.slice(-10).join("\n")}`).toBe(true);
      expect(s.exits).toEqual([]);
    }
  }, 120_000);
});
