import type { TestDatabase } from "@loans/db/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { converged, createAgreements } from "../kit/scenario.ts";
import type { System } from "../kit/system.ts";
import { startTestSystem, type TestSystem } from "../kit/test-system.ts";

// The design note's four failures, each injected once by the proxy between the services.
let peDb: TestDatabase;
let test: TestSystem;
let system: System;

beforeAll(async () => {
  test = await startTestSystem({ OUTBOX_BASE_DELAY_MS: "50", OUTBOX_MAX_DELAY_MS: "500" });
  ({ system, peDb } = test);
});
afterAll(async () => {
  await test?.stop();
});

async function historyOf(id: string): Promise<string[]> {
  const c = new pg.Client({ connectionString: peDb.url });
  await c.connect();
  try {
    const r = await c.query<{ status: string }>(
      "select status from agreement_status_history where agreement_id = $1 order by at",
      [id],
    );
    return r.rows.map((x) => x.status);
  } finally {
    await c.end();
  }
}

describe("the design note's four failures heal with nothing lost and nothing applied twice", () => {
  it("1. PE → Origination request lost: sent again on the next iteration", async () => {
    system.toOrigination.reset();
    system.toOrigination.once({ kind: "dropRequest" });
    await createAgreements(system, 3);
    const report = await converged(system);
    const c = system.toOrigination.counters();
    expect(c.droppedRequests).toBe(1);
    expect(c.forwarded).toBeGreaterThanOrEqual(1);
    expect(report.duplicates).toBe(0);
  });

  it("2. Origination → PE answer lost: sent again, Origination answers with the current status", async () => {
    system.toOrigination.reset();
    system.toOrigination.once({ kind: "dropAnswer" });
    await createAgreements(system, 3);
    await converged(system);
    const c = system.toOrigination.counters();
    expect(c.droppedAnswers).toBe(1);
    // The peer handled the lost batch and then the repeat: it saw the same messages at least twice.
    expect(c.forwarded).toBeGreaterThanOrEqual(2);
  });

  it("3. Origination → PE decision lost: sent again on the next iteration", async () => {
    system.toPe.reset();
    system.toPe.once({ kind: "dropRequest" });
    await createAgreements(system, 3);
    await converged(system);
    expect(system.toPe.counters().droppedRequests).toBe(1);
  });

  it("4. PE → Origination acknowledgement lost: sent again, PE answers OK without applying it twice", async () => {
    system.toPe.reset();
    system.toPe.once({ kind: "dropAnswer" });
    const ids = await createAgreements(system, 3);
    await converged(system);
    const c = system.toPe.counters();
    expect(c.droppedAnswers).toBe(1);
    expect(c.forwarded).toBeGreaterThanOrEqual(2);
    for (const id of ids) {
      const h = await historyOf(id);
      expect(new Set(h).size).toBe(h.length);
    }
  });

  it("every kind of broken answer (500, garbage, a cut body, a slow answer) heals the same way", async () => {
    for (const proxy of [system.toOrigination, system.toPe]) {
      proxy.reset();
      proxy.once(
        { kind: "status", status: 500 },
        { kind: "garbage" },
        { kind: "cutBody", keepBytes: 10 },
        { kind: "garbage", afterPeer: true },
        { kind: "delayAnswer", ms: 300 },
      );
    }
    await createAgreements(system, 5);
    const report = await converged(system);
    expect(report.lost).toBe(0);
  });

  it("a decision that reaches PE before Origination's IN_PROGRESS answer never moves the agreement back", async () => {
    system.toOrigination.reset();
    // Origination's answers to PE's intake are all lost for a while: PE keeps the agreement in NEW and
    // retries, while the decision travels the other way and arrives first.
    system.toOrigination.set({ kind: "dropAnswer" });
    const [id] = await createAgreements(system, 1);
    const decided = await waitForStatus(id!, ["APPROVED", "REJECTED"]);
    system.toOrigination.set({ kind: "pass" });
    await converged(system);
    expect(await historyOf(id!)).toEqual(["NEW", decided]);
  });
});

async function waitForStatus(id: string, statuses: string[]): Promise<string> {
  const c = new pg.Client({ connectionString: peDb.url });
  await c.connect();
  try {
    for (;;) {
      const r = await c.query<{ status: string }>("select status from agreements where id = $1", [id]);
      const s = r.rows[0]?.status;
      if (s && statuses.includes(s)) return s;
      await new Promise((res) => setTimeout(res, 50));
    }
  } finally {
    await c.end();
  }
}
