import { randomUUID } from "node:crypto";
import { agreementCreated } from "@loans/contracts";
import type { WireMessage } from "@loans/shared/outbox";
import { answerHandlers } from "@loans/shared/outbox/topic-routes";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyApplicationAnswer } from "../src/decisions/decisions.service.ts";
import { application, call, callInternal, counts, startTestPe, type TestPe } from "./helpers.ts";

let pe: TestPe;
beforeAll(async () => {
  pe = await startTestPe();
});
afterAll(() => pe?.stop());

async function newAgreement(): Promise<string> {
  const r = await call(pe.url, "POST", "/agreements", application());
  expect(r.status).toBe(201);
  return r.body.id;
}

const reasons = [{ code: "SCORE_OK", message: "score 0.91 above 0.5" }];
let seq = 0;
function decided(agreementId: string, result: "APPROVED" | "REJECTED", decidedAt = "2025-01-02T03:04:05.678Z") {
  seq++;
  return {
    id: String(seq),
    topic: "application.decided",
    aggregateId: agreementId,
    payload: { agreementId, result, reasons, decidedAt },
    createdAt: new Date().toISOString(),
  };
}
const batch = (...messages: unknown[]) => callInternal(pe.url, "/internal/decisions", { messages });
const get = async (id: string) => (await call(pe.url, "GET", `/agreements/${id}`)).body;
const history = async (id: string) => (await get(id)).statusHistory.map((h: { status: string }) => h.status);

describe("POST /internal/decisions", () => {
  it("applies a signed decision once, and answers a repeat the same without changing anything", async () => {
    const id = await newAgreement();
    const message = decided(id, "APPROVED");
    const r = await batch(message);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ results: [{ id: message.id, outcome: "ok", result: { status: "APPROVED" } }] });
    const after = await get(id);
    expect(after).toMatchObject({
      status: "APPROVED",
      decision: { result: "APPROVED", reasons, decidedAt: "2025-01-02T03:04:05.678Z" },
    });
    // A decision on NEW records what happened here: the agreement went from NEW to APPROVED.
    expect(after.statusHistory.map((h: { status: string }) => h.status)).toEqual(["NEW", "APPROVED"]);

    const before = await counts(pe);
    const again = await batch(message);
    expect(again.body).toEqual(r.body);
    expect(await get(id)).toEqual(after);
    expect(await counts(pe)).toEqual(before);
  });

  it("refuses a contradicting decision for its item while applying the others in the same batch", async () => {
    const [approved, other] = [await newAgreement(), await newAgreement()];
    await batch(decided(approved, "APPROVED"));
    const contradiction = decided(approved, "REJECTED");
    const fine = decided(other, "REJECTED");
    const r = await batch(contradiction, fine);
    expect(r.status).toBe(200);
    expect(r.body.results).toEqual([
      { id: contradiction.id, outcome: "rejected", error: { code: "CONFLICT", message: expect.any(String) } },
      { id: fine.id, outcome: "ok", result: { status: "REJECTED" } },
    ]);
    expect((await get(approved)).decision.result).toBe("APPROVED");
    expect(await get(other)).toMatchObject({ status: "REJECTED", decision: { result: "REJECTED" } });
  });

  it("refuses an unknown agreement and a malformed payload for their items only", async () => {
    const known = await newAgreement();
    const unknown = decided(randomUUID(), "APPROVED");
    const malformed = { ...decided(known, "APPROVED"), payload: { agreementId: "x", result: "MAYBE" } };
    const ok = decided(known, "APPROVED");
    const r = await batch(unknown, malformed, ok);
    expect(
      r.body.results.map((x: { outcome: string; error?: { code: string } }) => [x.outcome, x.error?.code]),
    ).toEqual([
      ["rejected", "NOT_FOUND"],
      ["rejected", "VALIDATION_FAILED"],
      ["ok", undefined],
    ]);
  });

  it("acknowledges a decision on a WITHDRAWN agreement and changes nothing", async () => {
    const id = await newAgreement();
    await sql`update agreements set status = 'WITHDRAWN' where id = ${id}::uuid`.execute(pe.db);
    const before = await get(id);
    const r = await batch(decided(id, "APPROVED"));
    expect(r.body.results[0]).toMatchObject({ outcome: "ok", result: { status: "WITHDRAWN" } });
    expect(await get(id)).toEqual(before);
  });

  it("refuses unsigned or wrongly signed batches with a 401 and writes nothing", async () => {
    const id = await newAgreement();
    const before = await counts(pe);
    const body = { messages: [decided(id, "APPROVED")] };
    const unsigned = await call(pe.url, "POST", "/internal/decisions", body);
    expect(unsigned.status).toBe(401);
    expect(unsigned.body.error.code).toBe("UNAUTHORIZED");
    const wrong = await callInternal(pe.url, "/internal/decisions", body, "not-the-service-secret-at-all");
    expect(wrong.status).toBe(401);
    expect((await get(id)).status).toBe("NEW");
    expect(await counts(pe)).toEqual(before);
  });

  it.each(["/INTERNAL/DECISIONS", "/Internal/decisions", "/%69nternal/decisions", "/internal%2Fdecisions"])(
    "refuses an unsigned batch sent to %s: the router ignores case, the signature check must too",
    async (path) => {
      const id = await newAgreement();
      const before = await counts(pe);
      const r = await call(pe.url, "POST", path, { messages: [decided(id, "APPROVED")] });
      expect(r.status).toBe(401);
      expect((await get(id)).status).toBe("NEW");
      expect(await counts(pe)).toEqual(before);
    },
  );

  it("answers a malformed batch with a 400", async () => {
    const r = await callInternal(pe.url, "/internal/decisions", { messages: [] });
    expect(r.status).toBe(400);
  });
});

describe("applyApplicationAnswer (the relay's onAnswer for agreement.created)", () => {
  const wire = (agreementId: string): WireMessage => ({
    id: "1",
    topic: "agreement.created",
    aggregateId: agreementId,
    payload: { agreementId },
    createdAt: new Date().toISOString(),
  });
  const answer = (id: string, result: unknown) =>
    pe.db
      .transaction()
      .execute((trx) => answerHandlers(agreementCreated, applyApplicationAnswer).onAnswer(trx, wire(id), result));
  const decision = (result: "APPROVED" | "REJECTED") => ({ result, reasons, decidedAt: "2025-01-02T03:04:05Z" });

  it("IN_PROGRESS moves NEW on once; repeats change nothing", async () => {
    const id = await newAgreement();
    await answer(id, { status: "IN_PROGRESS", decision: null });
    const after = await get(id);
    expect(after.status).toBe("IN_PROGRESS");
    await answer(id, { status: "IN_PROGRESS", decision: null });
    expect(await get(id)).toEqual(after);
    expect(after.statusHistory.map((h: { status: string }) => h.status)).toEqual(["NEW", "IN_PROGRESS"]);
  });

  it("PAYMENT_PENDING applies the approval, the same way /internal/decisions would", async () => {
    const id = await newAgreement();
    await answer(id, { status: "IN_PROGRESS", decision: null });
    await answer(id, { status: "PAYMENT_PENDING", decision: decision("APPROVED") });
    expect(await get(id)).toMatchObject({ status: "APPROVED", decision: { result: "APPROVED", reasons } });
    expect(await history(id)).toEqual(["NEW", "IN_PROGRESS", "APPROVED"]);
    const r = await batch(decided(id, "APPROVED"));
    expect(r.body.results[0]).toMatchObject({ outcome: "ok", result: { status: "APPROVED" } });
  });

  it("a late IN_PROGRESS never moves a decided agreement back", async () => {
    const id = await newAgreement();
    await answer(id, { status: "REJECTED", decision: decision("REJECTED") });
    await answer(id, { status: "IN_PROGRESS", decision: null });
    expect((await get(id)).status).toBe("REJECTED");
    expect(await history(id)).toEqual(["NEW", "REJECTED"]);
  });

  it("WITHDRAWN changes nothing", async () => {
    const id = await newAgreement();
    const before = await get(id);
    await answer(id, { status: "WITHDRAWN", decision: null });
    expect(await get(id)).toEqual(before);
  });

  it("throws on a contradiction or a malformed answer, and changes nothing", async () => {
    const id = await newAgreement();
    await answer(id, { status: "APPROVED", decision: decision("APPROVED") });
    const before = await get(id);
    await expect(answer(id, { status: "REJECTED", decision: decision("REJECTED") })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    for (const bad of [
      undefined,
      { status: "DONE" },
      { status: "APPROVED", decision: null },
      { status: "REJECTED", decision: decision("APPROVED") },
    ]) {
      await expect(answer(id, bad)).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    }
    await expect(answer("not-a-uuid", { status: "IN_PROGRESS", decision: null })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
    });
    expect(await get(id)).toEqual(before);
  });
});
