import { agreementCreated } from "@loans/contracts";
import type { WireMessage } from "@loans/shared/outbox";
import { answerHandlers } from "@loans/shared/outbox/topic-routes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyApplicationAnswer } from "../src/decisions/decisions.service.ts";
import { application, call, callInternal, counts, inParallel, startTestPe, type TestPe } from "./helpers.ts";

let pe: TestPe;
let wakes = 0;
beforeAll(async () => {
  pe = await startTestPe({}, { afterCommit: () => wakes++ });
});
afterAll(() => pe?.stop());

async function newAgreement(): Promise<string> {
  const r = await call(pe.url, "POST", "/agreements", application());
  expect(r.status).toBe(201);
  return r.body.id;
}

const reasons = [{ code: "PTI_OK", message: "payment to income 18 %" }];
let seq = 1000;
const decided = (agreementId: string, result: "APPROVED" | "REJECTED") => ({
  id: String(seq++),
  topic: "application.decided",
  aggregateId: agreementId,
  payload: { agreementId, result, reasons, decidedAt: "2025-01-02T03:04:05.678Z" },
  createdAt: new Date().toISOString(),
});
const decide = (id: string, result: "APPROVED" | "REJECTED") =>
  callInternal(pe.url, "/internal/decisions", { messages: [decided(id, result)] });
const accept = (id: string, result: unknown = { status: "IN_PROGRESS", decision: null }) => {
  const wire: WireMessage = {
    id: "1",
    topic: "agreement.created",
    aggregateId: id,
    payload: { agreementId: id },
    createdAt: new Date().toISOString(),
  };
  return pe.db
    .transaction()
    .execute((trx) => answerHandlers(agreementCreated, applyApplicationAnswer).onAnswer(trx, wire, result));
};
const withdraw = (id: string, body?: unknown, headers?: Record<string, string>) =>
  call(pe.url, "POST", `/agreements/${id}/withdraw`, body, headers);
const get = async (id: string) => (await call(pe.url, "GET", `/agreements/${id}`)).body;
const statuses = (a: { statusHistory: Array<{ status: string }> }) => a.statusHistory.map((h) => h.status);
const outboxOf = (id: string) =>
  pe.db.selectFrom("outbox").selectAll().where("aggregate_id", "=", id).orderBy("id").execute();

describe("POST /agreements/{id}/withdraw", () => {
  it("withdraws a NEW agreement: status, history and the message to Origination in one go, after its creation", async () => {
    const id = await newAgreement();
    const before = wakes;
    const r = await withdraw(id);
    expect(r.status).toBe(200);
    expect(r.body).toEqual(await get(id));
    expect(r.body).toMatchObject({ id, status: "WITHDRAWN", decision: null });
    expect(statuses(r.body)).toEqual(["NEW", "WITHDRAWN"]);
    expect(wakes).toBe(before + 1);

    const rows = await outboxOf(id);
    expect(rows.map((o) => o.topic)).toEqual(["agreement.created", "agreement.withdrawn"]);
    const withdrawnAt = r.body.statusHistory.at(-1).at;
    expect(rows[1]!.payload).toEqual({ agreementId: id, withdrawnAt });
    expect(BigInt(rows[1]!.id)).toBeGreaterThan(BigInt(rows[0]!.id));
  });

  it("is idempotent: a repeat answers the same 200 and writes nothing", async () => {
    const id = await newAgreement();
    const first = await withdraw(id);
    const before = await counts(pe);
    const wakesBefore = wakes;
    for (const body of [undefined, {}]) {
      const again = await withdraw(id, body);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
    }
    expect(await counts(pe)).toEqual(before);
    expect(wakes).toBe(wakesBefore);
  });

  it("takes an empty JSON body; refuses any other body and writes nothing", async () => {
    const id = await newAgreement();
    const before = await counts(pe);
    const extra = await withdraw(id, { reason: "changed my mind" });
    expect(extra.status).toBe(400);
    expect(extra.body.error).toMatchObject({ code: "VALIDATION_FAILED", details: [{ path: "reason" }] });
    const text = await call(pe.url, "POST", `/agreements/${id}/withdraw`, undefined, { "content-type": "text/plain" });
    expect(text.status).toBe(200); // no body at all, whatever the header says
    expect((await counts(pe)).outbox).toBe(before.outbox + 1);

    const other = await newAgreement();
    const ok = await withdraw(other, {});
    expect(ok.status).toBe(200);
    expect(ok.body.status).toBe("WITHDRAWN");
  });

  it("withdraws an IN_PROGRESS agreement", async () => {
    const id = await newAgreement();
    await accept(id);
    const r = await withdraw(id);
    expect(r.status).toBe(200);
    expect(statuses(r.body)).toEqual(["NEW", "IN_PROGRESS", "WITHDRAWN"]);
  });

  it("withdraws an APPROVED agreement and keeps the decision it had", async () => {
    const id = await newAgreement();
    expect((await decide(id, "APPROVED")).body.results[0].result).toEqual({ status: "APPROVED" });
    const r = await withdraw(id);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: "WITHDRAWN", decision: { result: "APPROVED", reasons } });
    expect(statuses(r.body)).toEqual(["NEW", "APPROVED", "WITHDRAWN"]);
  });

  it("refuses a REJECTED agreement with 409 INVALID_TRANSITION, and writes nothing", async () => {
    const id = await newAgreement();
    await decide(id, "REJECTED");
    const before = await counts(pe);
    const r = await withdraw(id);
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe("INVALID_TRANSITION");
    expect(await counts(pe)).toEqual(before);
    expect((await get(id)).status).toBe("REJECTED");
  });

  it("answers 404 for an unknown or malformed id", async () => {
    for (const id of ["6f1c2b7e-3a51-4c1e-9d2f-0b8a7c6d5e4f", "not-a-uuid", "6F1C2B7E-3A51-4C1E-9D2F-0B8A7C6D5E4"]) {
      const r = await withdraw(id);
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe("NOT_FOUND");
    }
  });

  it("many withdrawals at once: all answer 200, one history row, one message", async () => {
    const id = await newAgreement();
    const replies = await inParallel(12, 12, () => withdraw(id));
    expect(replies.map((r) => r.status)).toEqual(Array(12).fill(200));
    expect(statuses(await get(id))).toEqual(["NEW", "WITHDRAWN"]);
    expect((await outboxOf(id)).filter((o) => o.topic === "agreement.withdrawn")).toHaveLength(1);
  });

  it("withdraws agreements listed by status", async () => {
    const id = await newAgreement();
    await withdraw(id);
    const r = await call(pe.url, "GET", "/agreements?status=WITHDRAWN&limit=100");
    expect(r.status).toBe(200);
    expect(r.body.items.map((a: { id: string }) => a.id)).toContain(id);
  });

  it("is in the OpenAPI document", async () => {
    const r = await call(pe.url, "GET", "/openapi.json");
    expect(Object.keys(r.body.paths["/agreements/{id}/withdraw"])).toEqual(["post"]);
  });
});

describe("WITHDRAWN is final: what crosses it is acknowledged and ignored", () => {
  it("a decision that arrives after the withdrawal is answered ok and changes nothing", async () => {
    for (const result of ["APPROVED", "REJECTED"] as const) {
      const id = await newAgreement();
      const withdrawn = (await withdraw(id)).body;
      const before = await counts(pe);
      const r = await decide(id, result);
      expect(r.body.results[0]).toMatchObject({ outcome: "ok", result: { status: "WITHDRAWN" } });
      expect(await get(id)).toEqual(withdrawn);
      expect(await counts(pe)).toEqual(before);
    }
  });

  it("Origination's late answer to agreement.created (any status) changes nothing", async () => {
    const id = await newAgreement();
    const withdrawn = (await withdraw(id)).body;
    const decision = { result: "APPROVED", reasons, decidedAt: "2025-01-02T03:04:05Z" };
    await accept(id);
    await accept(id, { status: "APPROVED", decision });
    await accept(id, { status: "PAYMENT_PENDING", decision });
    await accept(id, { status: "WITHDRAWN", decision: null });
    expect(await get(id)).toEqual(withdrawn);
  });
});
