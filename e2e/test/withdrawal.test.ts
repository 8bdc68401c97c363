import { randomInt } from "node:crypto";
import type { TestDatabase } from "@loans/db/testing";
import { requeueDead } from "@loans/shared/outbox";
import type { FaultAction, FaultPolicy } from "@loans/shared/test-kit/fault-proxy";
import { waitFor } from "@loans/shared/test-kit/wait";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { api } from "../kit/client.ts";
import { converged } from "../kit/scenario.ts";
import type { System } from "../kit/system.ts";
import { startTestSystem, type TestSystem } from "../kit/test-system.ts";

// Issue 10: a client takes the application back, at every point of its way between the services, and
// both end WITHDRAWN. Scoring is slowed so that "before scoring" is a window wide enough to hit; the
// proxies hold messages back (dropRequest, until set to pass) to put the events in each order.
let peDb: TestDatabase;
let pePool: pg.Pool;
let originationPool: pg.Pool;
let test: TestSystem;
let system: System;

beforeAll(async () => {
  test = await startTestSystem({ OUTBOX_BASE_DELAY_MS: "50", OUTBOX_MAX_DELAY_MS: "500", SCORING_DELAY_MS: "1500" });
  ({ system, peDb } = test);
  pePool = new pg.Pool({ connectionString: peDb.url, max: 2 });
  originationPool = new pg.Pool({ connectionString: test.originationDb.url, max: 2 });
});
afterAll(async () => {
  await pePool?.end();
  await originationPool?.end();
  await test?.stop();
});
beforeEach(() => {
  for (const proxy of [system.toOrigination, system.toPe]) {
    proxy.set({ kind: "pass" });
    proxy.reset();
  }
});

interface Side {
  status: string;
  decision_result: string | null;
}

const agreementOf = async (id: string) =>
  (await pePool.query<Side>("select status, decision_result from agreements where id = $1", [id])).rows[0];
const applicationOf = async (id: string) =>
  (await originationPool.query<Side>("select status, decision_result from applications where agreement_id = $1", [id]))
    .rows[0];
const historyOf = async (id: string) =>
  (await api(system.peUrl, "GET", `/agreements/${id}`)).body.statusHistory.map((h: { status: string }) => h.status);
const decisionsSentFor = async (id: string) =>
  (await originationPool.query("select id from outbox where aggregate_id = $1 and topic = 'application.decided'", [id]))
    .rowCount;

const until = <T>(probe: () => Promise<T>, what: string) => waitFor(probe, { timeoutMs: 20_000, everyMs: 25, what });
const peIs = (id: string, ...statuses: string[]) =>
  until(async () => statuses.includes((await agreementOf(id))?.status ?? ""), `agreement ${id} in ${statuses}`);
const originationIs = (id: string, ...statuses: string[]) =>
  until(async () => statuses.includes((await applicationOf(id))?.status ?? ""), `application ${id} in ${statuses}`);

/** A new client's application that scoring approves (payment 27170.47 of 150000.00), or rejects (age at the end). */
async function apply(outcome: "approve" | "reject" = "approve"): Promise<string> {
  const r = await api(system.peUrl, "POST", "/agreements", {
    productCode: "CL1.0",
    client: {
      firstName: "Ivan",
      lastName: "Petrov",
      birthDate: outcome === "approve" ? "1990-05-17" : "1940-01-01",
      passportNumber: String(randomInt(1_000_000_000, 9_999_999_999)),
      email: "ivan@example.com",
      phone: "+79161234567",
      monthlyIncome: "150000.00",
    },
    disbursementAmount: "300000.00",
    termMonths: 12,
    interestRate: "12.5",
    originationFee: "5000.00",
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id;
}

async function withdraw(id: string) {
  const r = await api(system.peUrl, "POST", `/agreements/${id}/withdraw`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(r.body.status).toBe("WITHDRAWN");
  return r.body;
}

/** Waits for both sides to settle, then checks both ended WITHDRAWN. */
async function bothWithdrawn(id: string) {
  await converged(system);
  expect((await agreementOf(id))?.status).toBe("WITHDRAWN");
  expect((await applicationOf(id))?.status).toBe("WITHDRAWN");
}

/** Loses the listed requests to a path, in order, once each; everything else passes. */
function lose(byPath: Record<string, FaultAction[]>): FaultPolicy {
  const queues = new Map(Object.entries(byPath).map(([path, actions]) => [path, [...actions]]));
  return (req) => queues.get(req.path)?.shift() ?? { kind: "pass" };
}

describe("withdrawal at each point of the application's way: both services end WITHDRAWN", () => {
  it("before PE's outbox delivered the agreement", async () => {
    system.toOrigination.set({ kind: "dropRequest" });
    const id = await apply();
    await until(async () => system.toOrigination.counters().droppedRequests > 0, "agreement.created to be tried");
    await withdraw(id);
    system.toOrigination.set({ kind: "pass" });
    await bothWithdrawn(id);
    // Origination's IN_PROGRESS answer came after the withdrawal and moved nothing.
    expect(await historyOf(id)).toEqual(["NEW", "WITHDRAWN"]);
  });

  it("after Origination received it, before scoring: it is never scored", async () => {
    const id = await apply();
    await peIs(id, "IN_PROGRESS");
    await withdraw(id);
    await bothWithdrawn(id);
    expect(await applicationOf(id)).toEqual({ status: "WITHDRAWN", decision_result: null });
    expect(await decisionsSentFor(id)).toBe(0);
    expect(await historyOf(id)).toEqual(["NEW", "IN_PROGRESS", "WITHDRAWN"]);
  });

  it("after scoring, before the decision reached PE: PE acknowledges the decision and ignores it", async () => {
    system.toPe.set({ kind: "dropRequest" });
    const id = await apply();
    await originationIs(id, "APPROVED");
    await until(async () => system.toPe.counters().droppedRequests > 0, "application.decided to be tried");
    await withdraw(id);
    await originationIs(id, "WITHDRAWN");
    system.toPe.set({ kind: "pass" });
    await bothWithdrawn(id);
    expect(await agreementOf(id)).toEqual({ status: "WITHDRAWN", decision_result: null });
    expect(await applicationOf(id)).toEqual({ status: "WITHDRAWN", decision_result: "APPROVED" });
    expect(await historyOf(id)).toEqual(["NEW", "IN_PROGRESS", "WITHDRAWN"]);
  });

  it("after PE applied APPROVED: Origination's PAYMENT_PENDING becomes WITHDRAWN", async () => {
    const id = await apply();
    await peIs(id, "APPROVED");
    await converged(system);
    expect(await agreementOf(id)).toEqual({ status: "APPROVED", decision_result: "APPROVED" });
    expect((await applicationOf(id))?.status).toBe("PAYMENT_PENDING");
    const body = await withdraw(id);
    expect(body.decision?.result).toBe("APPROVED");
    await bothWithdrawn(id);
    expect(await historyOf(id)).toEqual(["NEW", "IN_PROGRESS", "APPROVED", "WITHDRAWN"]);
  });

  it("with the decision and the withdrawal crossing in flight", async () => {
    const id = await apply();
    await peIs(id, "IN_PROGRESS");
    // Each side acts before the other's message arrives: Origination decides, PE withdraws.
    system.toPe.set({ kind: "dropRequest" });
    system.toOrigination.set({ kind: "dropRequest" });
    await originationIs(id, "APPROVED");
    await withdraw(id);
    const apart = await system.check();
    expect(apart.violations).toContain(`agreement ${id}: PE WITHDRAWN/null vs Origination APPROVED/APPROVED`);
    // Then both messages go at once, each peer applying its own before the other's answer is back.
    system.toPe.set({ kind: "delayAnswer", ms: 300 });
    system.toOrigination.set({ kind: "delayAnswer", ms: 300 });
    await bothWithdrawn(id);
    expect(system.toPe.counters().delayed).toBeGreaterThan(0);
    expect(system.toOrigination.counters().delayed).toBeGreaterThan(0);
    expect(await agreementOf(id)).toEqual({ status: "WITHDRAWN", decision_result: null });
    expect(await applicationOf(id)).toEqual({ status: "WITHDRAWN", decision_result: "APPROVED" });
  });

  it("a REJECTED agreement cannot be withdrawn: 409, and nothing crosses", async () => {
    const id = await apply("reject");
    await peIs(id, "REJECTED");
    await converged(system);
    const r = await api(system.peUrl, "POST", `/agreements/${id}/withdraw`);
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe("INVALID_TRANSITION");
    await converged(system);
    expect(await agreementOf(id)).toEqual({ status: "REJECTED", decision_result: "REJECTED" });
    expect((await applicationOf(id))?.status).toBe("REJECTED");
  });
});

describe("withdrawal with messages lost once and sent again", () => {
  it("the withdrawal lost on its way, then its answer lost on the way back", async () => {
    const id = await apply();
    await peIs(id, "APPROVED");
    await converged(system);
    system.toOrigination.set(lose({ "/internal/withdrawals": [{ kind: "dropRequest" }, { kind: "dropAnswer" }] }));
    await withdraw(id);
    await bothWithdrawn(id);
    const c = system.toOrigination.counters();
    expect([c.droppedRequests, c.droppedAnswers]).toEqual([1, 1]);
  });

  it("every message of the flow lost once, request and answer: agreement, withdrawal, decision", async () => {
    const twice: FaultAction[] = [{ kind: "dropRequest" }, { kind: "dropAnswer" }];
    system.toOrigination.set(lose({ "/internal/applications": [...twice], "/internal/withdrawals": [...twice] }));
    system.toPe.set(lose({ "/internal/decisions": [...twice] }));
    const id = await apply();
    await originationIs(id, "APPROVED", "PAYMENT_PENDING");
    await withdraw(id);
    await bothWithdrawn(id);
    const [o, p] = [system.toOrigination.counters(), system.toPe.counters()];
    expect([o.droppedRequests, o.droppedAnswers, p.droppedRequests, p.droppedAnswers]).toEqual([2, 2, 1, 1]);
  });

  it("the withdrawal overtakes an agreement.created that went dead: remembered, and the requeued agreement arrives WITHDRAWN", async () => {
    system.toOrigination.set(lose({ "/internal/applications": Array(1000).fill({ kind: "dropRequest" }) }));
    const id = await apply();
    await until(async () => system.toOrigination.counters().droppedRequests > 0, "agreement.created to be tried");
    // As if it had run out of attempts; the bump fences off an attempt in flight from recording over it.
    const dead = await pePool.query<{ id: string }>(
      `with d as (
         update outbox_deliveries set dead_at = now(), claims = claims + 1, last_error = 'given up by the test'
         where aggregate_id = $1 and topic = 'agreement.created' returning message_id)
       update outbox set dead_at = now(), last_error = 'given up by the test'
       where id in (select message_id from d) returning id::text as id`,
      [id],
    );
    await withdraw(id);
    await until(
      async () =>
        (await originationPool.query("select 1 from withdrawals where agreement_id = $1", [id])).rowCount === 1,
      "the withdrawal to be remembered",
    );
    expect(await applicationOf(id)).toBeUndefined();

    system.toOrigination.set({ kind: "pass" });
    const operator = new pg.Client({ connectionString: peDb.url });
    await operator.connect();
    try {
      // The withdrawal after it was delivered meanwhile: a requeue is refused unless forced, which
      // Origination takes in its stride (the withdrawal is remembered and outranks it).
      await expect(requeueDead(operator, { id: dead.rows[0]!.id })).rejects.toThrow(/--force/);
      expect(await requeueDead(operator, { id: dead.rows[0]!.id }, { force: true })).toEqual([dead.rows[0]!.id]);
    } finally {
      await operator.end();
    }
    await bothWithdrawn(id);
    expect(await applicationOf(id)).toEqual({ status: "WITHDRAWN", decision_result: null });
    expect(await decisionsSentFor(id)).toBe(0);
    expect(await historyOf(id)).toEqual(["NEW", "WITHDRAWN"]);
  });
});
