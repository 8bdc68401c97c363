import type { TestDatabase } from "@loans/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApplicationView } from "../src/applications/applications.schemas.ts";
import { type ScoringDeps, scoreApplication } from "../src/scoring/scoring.service.ts";
import {
  ackDecision,
  agreement,
  type BatchResult,
  getJson,
  message,
  type Origination,
  outboxOf as outboxOfDb,
  postInternal,
  scoringDeps,
  sendIntake,
  startTestOrigination,
} from "./helpers.ts";

// The worker waits far longer than these tests take, so each test scores (or not) by hand.
let database: TestDatabase;
let origination: Origination;
let scoring: ScoringDeps;

beforeAll(async () => {
  ({ database, service: origination } = await startTestOrigination({ SCORING_DELAY_MS: "600000" }));
  scoring = scoringDeps(origination.db);
});
afterAll(async () => {
  await origination?.stop();
  await database?.drop();
});

const withdrawn = (agreementId: string, withdrawnAt = "2025-03-04T05:06:07.890Z") =>
  message({ agreementId, withdrawnAt }, { topic: "agreement.withdrawn" });

async function sendWithdrawals(messages: unknown[]): Promise<BatchResult[]> {
  const r = await postInternal(origination.url, "/internal/withdrawals", { messages });
  const body = (await r.json()) as { results: BatchResult[] };
  expect(r.status, JSON.stringify(body)).toBe(200);
  return body.results;
}

const view = (id: string) => getJson<ApplicationView>(`${origination.url}/applications/${id}`);
const outboxOf = (id: string) => outboxOfDb(origination.db, id);
const remembered = (id: string) =>
  origination.db.selectFrom("withdrawals").selectAll().where("agreement_id", "=", id).execute();

const ackWithdrawn = (agreementId: string) => ackDecision(origination.db, agreementId, "WITHDRAWN");

/** An application received and left IN_PROGRESS (the worker is asleep). */
async function received(overrides: Parameters<typeof agreement>[0] = {}) {
  const p = agreement(overrides);
  const [r] = await sendIntake(origination.url, [message(p)]);
  expect(r?.result?.status).toBe("IN_PROGRESS");
  return p;
}

describe("POST /internal/withdrawals", () => {
  it("withdraws an IN_PROGRESS application, and answers a repeat the same without changing anything", async () => {
    const p = await received();
    const m = withdrawn(p.agreementId);
    expect(await sendWithdrawals([m])).toEqual([{ id: m.id, outcome: "ok", result: { status: "WITHDRAWN" } }]);
    const after = (await view(p.agreementId)).body;
    expect(after).toMatchObject({ status: "WITHDRAWN", decision: null });

    expect(await sendWithdrawals([m])).toEqual([{ id: m.id, outcome: "ok", result: { status: "WITHDRAWN" } }]);
    expect((await view(p.agreementId)).body).toEqual(after);
    expect(await remembered(p.agreementId)).toEqual([
      {
        agreement_id: p.agreementId,
        withdrawn_at: new Date("2025-03-04T05:06:07.890Z"),
        received_at: expect.any(Date),
      },
    ]);
  });

  it("scoring skips a withdrawn application: no decision, no message to PE", async () => {
    const p = await received();
    await sendWithdrawals([withdrawn(p.agreementId)]);
    expect(await scoreApplication(scoring, p.agreementId)).toBeNull();
    expect((await view(p.agreementId)).body).toMatchObject({ status: "WITHDRAWN", decision: null });
    expect(await outboxOf(p.agreementId)).toEqual([]);
  });

  it("APPROVED, not yet acknowledged: WITHDRAWN, the decision kept and still on its way to PE; the ack moves nothing", async () => {
    const p = await received();
    expect((await scoreApplication(scoring, p.agreementId))?.result).toBe("APPROVED");
    await sendWithdrawals([withdrawn(p.agreementId)]);
    const app = (await view(p.agreementId)).body;
    expect(app).toMatchObject({ status: "WITHDRAWN", decision: { result: "APPROVED" } });
    const rows = await outboxOf(p.agreementId);
    expect(rows.map((r) => [r.topic, r.delivered_at])).toEqual([["application.decided", null]]);

    await ackWithdrawn(p.agreementId);
    expect((await view(p.agreementId)).body).toEqual(app);
  });

  it("PAYMENT_PENDING and REJECTED applications become WITHDRAWN too: it outranks every decision", async () => {
    const pending = await received();
    await scoreApplication(scoring, pending.agreementId);
    await ackWithdrawn(pending.agreementId);
    expect((await view(pending.agreementId)).body.status).toBe("PAYMENT_PENDING");
    const rejected = await received({ monthlyIncome: "0.00" });
    expect((await scoreApplication(scoring, rejected.agreementId))?.result).toBe("REJECTED");

    const results = await sendWithdrawals([withdrawn(pending.agreementId), withdrawn(rejected.agreementId)]);
    expect(results.map((r) => r.result)).toEqual([{ status: "WITHDRAWN" }, { status: "WITHDRAWN" }]);
    expect((await view(pending.agreementId)).body).toMatchObject({
      status: "WITHDRAWN",
      decision: { result: "APPROVED" },
    });
    expect((await view(rejected.agreementId)).body).toMatchObject({
      status: "WITHDRAWN",
      decision: { result: "REJECTED" },
    });
    await ackWithdrawn(rejected.agreementId);
    expect((await view(rejected.agreementId)).body.status).toBe("WITHDRAWN");
  });

  it("refuses an invalid item on its own and applies the rest of the batch", async () => {
    const p = await received();
    const bad = withdrawn("not-a-uuid");
    const noTime = message({ agreementId: p.agreementId }, { topic: "agreement.withdrawn" });
    const good = withdrawn(p.agreementId);
    const results = await sendWithdrawals([bad, noTime, good]);
    const byId = new Map(results.map((r) => [r.id, [r.outcome, r.error?.code]]));
    expect([bad, noTime, good].map((m) => byId.get(m.id))).toEqual([
      ["rejected", "VALIDATION_FAILED"],
      ["rejected", "VALIDATION_FAILED"],
      ["ok", undefined],
    ]);
    expect((await view(p.agreementId)).body.status).toBe("WITHDRAWN");
  });

  it("refuses an unsigned batch with 401 and writes nothing", async () => {
    const p = await received();
    const r = await postInternal(
      origination.url,
      "/internal/withdrawals",
      { messages: [withdrawn(p.agreementId)] },
      "none",
    );
    expect(r.status).toBe(401);
    expect((await view(p.agreementId)).body.status).toBe("IN_PROGRESS");
    expect(await remembered(p.agreementId)).toEqual([]);
  });

  it("is in the OpenAPI document", async () => {
    const { body } = await getJson<{ paths: Record<string, object> }>(`${origination.url}/openapi.json`);
    expect(Object.keys(body.paths["/internal/withdrawals"] ?? {})).toEqual(["post"]);
  });
});

describe("a withdrawal for an application not received yet", () => {
  it("is remembered, and the late agreement.created opens the application WITHDRAWN, unscored", async () => {
    const p = agreement();
    const [w] = await sendWithdrawals([withdrawn(p.agreementId)]);
    expect(w?.result).toEqual({ status: "WITHDRAWN" });
    expect((await view(p.agreementId)).status).toBe(404);
    expect(await remembered(p.agreementId)).toHaveLength(1);

    const created = message(p);
    const [r] = await sendIntake(origination.url, [created]);
    expect(r).toEqual({ id: created.id, outcome: "ok", result: { status: "WITHDRAWN", decision: null } });
    expect((await view(p.agreementId)).body).toMatchObject({
      agreementId: p.agreementId,
      clientId: p.clientId,
      status: "WITHDRAWN",
      decision: null,
    });
    expect(await scoreApplication(scoring, p.agreementId)).toBeNull();
    expect(await outboxOf(p.agreementId)).toEqual([]);

    // Repeats of either answer the same; the same id with other data is still refused.
    expect(await sendIntake(origination.url, [created])).toEqual([r]);
    expect((await sendWithdrawals([withdrawn(p.agreementId)]))[0]?.result).toEqual({ status: "WITHDRAWN" });
    const [other] = await sendIntake(origination.url, [message({ ...p, principal: "100000.00" })]);
    expect(other).toMatchObject({ outcome: "rejected", error: { code: "CONFLICT" } });
  });

  it("intake and withdrawal of one agreement racing each other always end WITHDRAWN", async () => {
    const payloads = Array.from({ length: 20 }, () => agreement());
    await Promise.all(
      payloads.flatMap((p) => [sendIntake(origination.url, [message(p)]), sendWithdrawals([withdrawn(p.agreementId)])]),
    );
    for (const p of payloads) {
      expect((await view(p.agreementId)).body.status).toBe("WITHDRAWN");
      expect(await scoreApplication(scoring, p.agreementId)).toBeNull();
    }
  });
});
