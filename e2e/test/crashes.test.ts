import { waitFor } from "@loans/shared/test-kit/wait";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { converged, traffic } from "../kit/scenario.ts";
import type { System } from "../kit/system.ts";
import { startTestSystem, type TestSystem } from "../kit/test-system.ts";

let test: TestSystem;
let system: System;

beforeAll(async () => {
  test = await startTestSystem({
    OUTBOX_BASE_DELAY_MS: "50",
    OUTBOX_MAX_DELAY_MS: "1000",
    OUTBOX_REQUEST_TIMEOUT_MS: "2000",
  });
  ({ system } = test);
});
afterAll(async () => {
  await test?.stop();
});

describe("services killed under traffic", () => {
  for (const victim of ["pe", "origination"] as const) {
    it(`SIGKILL of ${victim} mid-traffic, then a restart: everything committed converges`, async () => {
      const load = traffic(system, { count: 120, concurrency: 4 });
      await waitFor(() => load.progress().created >= 30, { what: "traffic to get going" });
      const service = system[victim][0]!;
      await service.kill("SIGKILL");
      expect(service.exits.at(-1)?.signal).toBe("SIGKILL");
      await new Promise((r) => setTimeout(r, 500));
      await service.start();
      const { created } = await load.done;
      expect(created).toBeGreaterThanOrEqual(30);
      const report = await converged(system);
      expect(report.agreements).toBeGreaterThanOrEqual(created);
      expect(report).toMatchObject({ lost: 0, duplicates: 0 });
    }, 90_000);
  }

  it("SIGTERM to both services under traffic: both exit 0 within their bound, and all converges after restart", async () => {
    const load = traffic(system, { count: 120, concurrency: 4 });
    await waitFor(() => load.progress().created >= 30, { what: "traffic to get going" });
    const services = [system.pe[0]!, system.origination[0]!];
    // A service still stopping after its 10 s bound exits 1 (shared/src/service.ts), so 0 means in time.
    const codes = await Promise.all(services.map((s) => s.kill("SIGTERM")));
    expect(codes).toEqual([0, 0]);
    await Promise.all(services.map((s) => s.start()));
    await load.done;
    const report = await converged(system);
    expect(report).toMatchObject({ lost: 0, duplicates: 0 });
  }, 90_000);

  it("Origination down for a minute while PE takes applications: all delivered once it is back", async () => {
    const origination = system.origination[0]!;
    await origination.kill("SIGTERM");
    const load = traffic(system, { count: 60, concurrency: 2 });
    const started = Date.now();
    await load.done;
    const pending = await system.check({ settled: false });
    expect(pending.pendingPe).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, Math.max(0, 60_000 - (Date.now() - started))));
    await origination.start();
    const report = await converged(system);
    expect(report).toMatchObject({ lost: 0, duplicates: 0 });
  }, 120_000);
});
