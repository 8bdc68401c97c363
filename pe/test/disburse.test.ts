import { randomUUID } from "node:crypto";
import { type PayoutRequested, payoutRequested } from "@loans/contracts";
import type { AnswerOf } from "@loans/shared/outbox/topic";
import { answerHandlers } from "@loans/shared/outbox/topic-routes";
import type { WireMessage } from "@loans/shared/outbox/types";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBusinessClock } from "../src/business-date/clock.ts";
import { addMonthsClamped } from "../src/calendar.ts";
import type { PeDB } from "../src/db.ts";
import { applyPayoutAnswer } from "../src/disbursement/payout-result.ts";
import { application, call, callInternal, counts, startTestPe, type TestPe } from "./helpers.ts";

let pe: TestPe;
beforeAll(async () => {
  pe = await startTestPe();
});
afterAll(() => pe?.stop());

const ACCOUNT = "40817810000000000001";
const systemClock = createBusinessClock({ BUSINESS_CLOCK: "system" });
let seq = 5000;
const wire = (topic: string, agreementId: string, payload: Record<string, unknown>) => ({
  id: String(seq++),
  topic,
  aggregateId: agreementId,
  payload,
  createdAt: new Date().toISOString(),
});

async function approved(): Promise<string> {
  const r = await call(pe.url, "POST", "/agreements", application());
  expect(r.status).toBe(201);
  const id = r.body.id as string;
  const decided = wire("application.decided", id, {
    agreementId: id,
    result: "APPROVED",
    reasons: [],
    decidedAt: new Date().toISOString(),
  });
  const d = await callInternal(pe.url, "/internal/decisions", { messages: [decided] });
  expect(d.body.results[0].outcome).toBe("ok");
  return id;
}

const disburse = (id: string, accountNumber = ACCOUNT) =>
  call(pe.url, "POST", `/agreements/${id}/disburse`, { destination: { accountNumber } });
const outboxOf = (id: string) =>
  pe.db.selectFrom("outbox").selectAll().where("aggregate_id", "=", id).orderBy("id").execute();
const payoutIdOf = async (id: string) => (await call(pe.url, "GET", `/agreements/${id}`)).body.disbursement.id;
const settled = (id: string, payoutId: string, status: "PAID" | "FAILED", settledAt: string, failureCode?: string) =>
  wire("payout.settled", id, {
    payoutId,
    kind: "DISBURSEMENT",
    agreementId: id,
    amount: "300000.00",
    status,
    settledAt,
    failureCode: failureCode ?? null,
    failureMessage: failureCode ? "the destination account is closed" : null,
  });
const results = async (messages: unknown[]) =>
  (await callInternal(pe.url, "/internal/payout-results", { messages })).body.results;

describe("POST /agreements/{id}/disburse", () => {
  it("APPROVED → DISBURSING with payout.requested for the disbursement amount; the schedule is still indicative", async () => {
    const id = await approved();
    const r = await disburse(id);
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({
      status: "DISBURSING",
      scheduleAnchoredOn: null,
      disbursement: { status: "REQUESTED", amount: "300000.00", accountNumber: ACCOUNT, disbursedOn: null },
    });
    const rows = await outboxOf(id);
    expect(rows.map((o) => o.topic)).toEqual(["agreement.created", "payout.requested"]);
    expect(rows[1]!.payload).toEqual({
      payoutId: r.body.disbursement.id,
      kind: "DISBURSEMENT",
      agreementId: id,
      amount: "300000.00",
      currency: "RUB",
      destination: { accountNumber: ACCOUNT },
    });
  });

  it("a repeat with the same account answers 202 and writes nothing; another account is 409 and writes nothing", async () => {
    const id = await approved();
    await disburse(id);
    const before = await counts(pe);
    const again = await disburse(id);
    expect(again.status).toBe(202);
    expect(again.body.status).toBe("DISBURSING");
    const other = await disburse(id, "40817810000000000002");
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe("INVALID_TRANSITION");
    expect(await counts(pe)).toEqual(before);
  });

  it("with an Idempotency-Key: a repeat replays the first answer, the key with another account is a 422", async () => {
    const id = await approved();
    const key = { "Idempotency-Key": `disburse-${id}` };
    const body = { destination: { accountNumber: ACCOUNT } };
    const first = await call(pe.url, "POST", `/agreements/${id}/disburse`, body, key);
    expect(first.status).toBe(202);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    expect(first.body.status).toBe("DISBURSING");
    const again = await call(pe.url, "POST", `/agreements/${id}/disburse`, body, key);
    expect(again.status).toBe(202);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    const other = await call(
      pe.url,
      "POST",
      `/agreements/${id}/disburse`,
      { destination: { accountNumber: "40817810000000000002" } },
      key,
    );
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe("IDEMPOTENCY_KEY_REUSED");
    // One order, however often it was asked for.
    expect((await outboxOf(id)).filter((r) => r.topic === "payout.requested")).toHaveLength(1);
    // A refused disbursement keeps no key: the same key works once the request is right.
    const unknown = randomUUID();
    const missing = await call(pe.url, "POST", `/agreements/${unknown}/disburse`, body, {
      "Idempotency-Key": `k-${unknown}`,
    });
    expect(missing.status).toBe(404);
    const keys = await sql`select key from idempotency_keys where key = ${`k-${unknown}`}`.execute(pe.db);
    expect(keys.rows).toEqual([]);
  });

  it("bad input: a clear 4xx and nothing written", async () => {
    const fresh = await call(pe.url, "POST", "/agreements", application());
    const before = await counts(pe);
    const cases: Array<[string, unknown, number, string]> = [
      [randomUUID(), { destination: { accountNumber: ACCOUNT } }, 404, "NOT_FOUND"],
      [fresh.body.id, { destination: { accountNumber: ACCOUNT } }, 409, "INVALID_TRANSITION"],
      // The body is checked before the agreement: 400 even for one that does not exist.
      [randomUUID(), { destination: { accountNumber: "4081" } }, 400, "VALIDATION_FAILED"],
      [fresh.body.id, { destination: { accountNumber: "4081781000000000000x" } }, 400, "VALIDATION_FAILED"],
      [fresh.body.id, { destination: {} }, 400, "VALIDATION_FAILED"],
      [fresh.body.id, { destination: { accountNumber: ACCOUNT }, extra: 1 }, 400, "VALIDATION_FAILED"],
      ["not-a-uuid", { destination: { accountNumber: ACCOUNT } }, 404, "NOT_FOUND"],
    ];
    for (const [id, body, status, code] of cases) {
      const r = await call(pe.url, "POST", `/agreements/${id}/disburse`, body);
      expect([r.status, r.body.error?.code], JSON.stringify(body)).toEqual([status, code]);
    }
    expect(await counts(pe)).toEqual(before);
  });

  it("withdraw races disburse: the row lock decides, the loser gets 409", async () => {
    for (let i = 0; i < 5; i++) {
      const id = await approved();
      const [d, w] = await Promise.all([disburse(id), call(pe.url, "POST", `/agreements/${id}/withdraw`)]);
      const statuses = [d.status, w.status].sort();
      expect(statuses).toEqual(d.status === 202 ? [202, 409] : [200, 409]);
      const after = (await call(pe.url, "GET", `/agreements/${id}`)).body;
      expect(after.status).toBe(d.status === 202 ? "DISBURSING" : "WITHDRAWN");
      const topics = (await outboxOf(id)).map((o) => o.topic);
      expect(topics).toEqual(["agreement.created", d.status === 202 ? "payout.requested" : "agreement.withdrawn"]);
    }
  });
});

describe("POST /internal/payout-results", () => {
  it("PAID: ACTIVE, disbursed on the settlement's UTC date, dues re-anchored on it, amounts untouched; once", async () => {
    const id = await approved();
    await disburse(id);
    const before = (await call(pe.url, "GET", `/agreements/${id}`)).body;
    const payoutId = before.disbursement.id;
    const settledAt = "2030-01-31T23:59:59.000Z";
    const [r] = await results([settled(id, payoutId, "PAID", settledAt)]);
    expect(r).toMatchObject({ outcome: "ok", result: { agreementStatus: "ACTIVE" } });
    const after = (await call(pe.url, "GET", `/agreements/${id}`)).body;
    expect(after).toMatchObject({
      status: "ACTIVE",
      scheduleAnchoredOn: "2030-01-31",
      disbursement: { status: "PAID", disbursedOn: "2030-01-31", failureCode: null },
    });
    expect(after.statusHistory.map((h: { status: string }) => h.status)).toEqual([
      "NEW",
      "APPROVED",
      "DISBURSING",
      "ACTIVE",
    ]);
    expect(after.schedule.map((s: { dueDate: string }) => s.dueDate)).toEqual(
      before.schedule.map((_: unknown, i: number) => addMonthsClamped("2030-01-31", i + 1)),
    );
    expect(after.schedule[0].dueDate).toBe("2030-02-28");
    const amounts = (a: { schedule: Array<Record<string, string>> }) =>
      a.schedule.map((s) => [s.payment, s.principal, s.interest, s.balance]);
    expect(amounts(after)).toEqual(amounts(before));
    const [again] = await results([settled(id, payoutId, "PAID", settledAt)]);
    expect(again).toMatchObject({ outcome: "ok", result: { agreementStatus: "ACTIVE" } });
    const topics = (await outboxOf(id)).map((o) => o.topic);
    expect(topics).toEqual(["agreement.created", "payout.requested", "agreement.status-changed"]);
    expect((await outboxOf(id))[2]!.payload).toMatchObject({ agreementId: id, status: "ACTIVE", on: "2030-01-31" });
  });

  it("FAILED: DISBURSEMENT_FAILED with its code; a contradicting PAID and a payout never ordered are refused", async () => {
    const id = await approved();
    await disburse(id);
    const payoutId = await payoutIdOf(id);
    const [r] = await results([settled(id, payoutId, "FAILED", new Date().toISOString(), "account_closed")]);
    expect(r.result).toEqual({ agreementStatus: "DISBURSEMENT_FAILED" });
    const after = (await call(pe.url, "GET", `/agreements/${id}`)).body;
    expect(after).toMatchObject({
      status: "DISBURSEMENT_FAILED",
      scheduleAnchoredOn: null,
      disbursement: { status: "FAILED", failureCode: "account_closed" },
    });
    const [contra, unknown, noAgreement] = await results([
      settled(id, payoutId, "PAID", new Date().toISOString()),
      settled(await approved(), randomUUID(), "PAID", new Date().toISOString()),
      settled(randomUUID(), randomUUID(), "PAID", new Date().toISOString()),
    ]);
    expect(contra.error.code).toBe("CONTRADICTION");
    expect(unknown.error.code).toBe("UNKNOWN_PAYOUT");
    expect(noAgreement.error.code).toBe("UNKNOWN_AGREEMENT");
    expect((await outboxOf(id)).map((o) => o.topic).filter((t) => t === "agreement.status-changed")).toHaveLength(1);
  });
});

describe("PG's answer to payout.requested (the relay's onAnswer)", () => {
  const answer = async (id: string, result: unknown) => {
    const [, row] = await outboxOf(id);
    const message: WireMessage = {
      id: row!.id,
      topic: row!.topic,
      aggregateId: id,
      payload: row!.payload,
      createdAt: row!.created_at.toISOString(),
    };
    const { onAnswer } = answerHandlers<PeDB, PayoutRequested, AnswerOf<typeof payoutRequested>>(
      payoutRequested,
      (trx, m, a) => applyPayoutAnswer(trx, m, a, systemClock),
    );
    await pe.db.transaction().execute((trx) => onAnswer(trx, message, result));
    return (await call(pe.url, "GET", `/agreements/${id}`)).body;
  };

  it("PENDING and IN_TRANSIT change nothing; PAID is applied as payout.settled would be, and only once", async () => {
    const id = await approved();
    await disburse(id);
    expect((await answer(id, { status: "PENDING", settledAt: null, failureCode: null })).status).toBe("DISBURSING");
    expect((await answer(id, { status: "IN_TRANSIT", settledAt: null, failureCode: null })).status).toBe("DISBURSING");
    const paid = { status: "PAID", settledAt: "2031-05-05T10:00:00.000Z", failureCode: null };
    expect(await answer(id, paid)).toMatchObject({ status: "ACTIVE", disbursement: { disbursedOn: "2031-05-05" } });
    await answer(id, paid);
    const topics = (await outboxOf(id)).map((o) => o.topic);
    expect(topics.filter((t) => t === "agreement.status-changed")).toHaveLength(1);
    await expect(answer(id, { status: "LOST" })).rejects.toThrow();
  });
});
