import { type AgreementStatusChanged, APPLICATION_STATUSES, agreementStatusChanged } from "@loans/contracts";
import type { TestDatabase } from "@loans/db/testing";
import { byAggregate, type WireMessage } from "@loans/shared/outbox";
import type { Transaction } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { statusChangedHandler } from "../src/agreement-events/agreement-events.handler.ts";
import { type LoanStatus, loanTransition } from "../src/agreement-events/transitions.ts";
import type { ApplicationStatus, OriginationDB } from "../src/db.ts";
import {
  ackDecision,
  agreement,
  getJson,
  message,
  type Origination,
  postInternal,
  refused,
  rolledBack,
  sendIntake,
  startTestOrigination,
  waitFor,
} from "./helpers.ts";

describe("application × the loan's status from PE", () => {
  const move = (to: LoanStatus) => ({ kind: "move", to });
  const same = { kind: "same" };
  const contra = { kind: "contradiction" };
  const CASES: Array<[ApplicationStatus, LoanStatus, unknown]> = [
    ["IN_PROGRESS", "ACTIVE", contra],
    ["IN_PROGRESS", "CLOSED", contra],
    ["IN_PROGRESS", "DISBURSEMENT_FAILED", contra],
    ["APPROVED", "ACTIVE", move("ACTIVE")],
    ["APPROVED", "CLOSED", move("CLOSED")],
    ["APPROVED", "DISBURSEMENT_FAILED", move("DISBURSEMENT_FAILED")],
    ["PAYMENT_PENDING", "ACTIVE", move("ACTIVE")],
    ["PAYMENT_PENDING", "CLOSED", move("CLOSED")],
    ["PAYMENT_PENDING", "DISBURSEMENT_FAILED", move("DISBURSEMENT_FAILED")],
    ["REJECTED", "ACTIVE", contra],
    ["REJECTED", "CLOSED", contra],
    ["REJECTED", "DISBURSEMENT_FAILED", contra],
    ["WITHDRAWN", "ACTIVE", contra],
    ["WITHDRAWN", "CLOSED", contra],
    ["WITHDRAWN", "DISBURSEMENT_FAILED", contra],
    ["ACTIVE", "ACTIVE", same],
    ["ACTIVE", "CLOSED", move("CLOSED")],
    ["ACTIVE", "DISBURSEMENT_FAILED", contra],
    ["CLOSED", "ACTIVE", same],
    ["CLOSED", "CLOSED", same],
    ["CLOSED", "DISBURSEMENT_FAILED", contra],
    ["DISBURSEMENT_FAILED", "ACTIVE", contra],
    ["DISBURSEMENT_FAILED", "CLOSED", contra],
    ["DISBURSEMENT_FAILED", "DISBURSEMENT_FAILED", same],
  ];
  it.each(CASES)("%s + %s", (status, reported, expected) => {
    expect(loanTransition(status, reported)).toEqual(expected);
  });
  it("covers every status", () => {
    expect(CASES).toHaveLength(APPLICATION_STATUSES.length * 3);
  });
});

describe("POST /internal/agreement-events", () => {
  let database: TestDatabase;
  let origination: Origination;
  beforeAll(async () => {
    ({ database, service: origination } = await startTestOrigination());
  });
  afterAll(async () => {
    await origination?.stop();
    await database?.drop();
  });

  const statusOf = async (id: string) =>
    (await getJson<{ status: string }>(`${origination.url}/applications/${id}`)).body.status;
  const approvedApp = async (overrides = {}) => {
    const p = agreement(overrides);
    await sendIntake(origination.url, [message(p)]);
    await waitFor(async () => (await statusOf(p.agreementId)) === "APPROVED", "approval");
    return p;
  };
  let seq = 9000;
  const report = async (agreementId: string, status: LoanStatus) => {
    const m = {
      id: String(seq++),
      topic: "agreement.status-changed",
      aggregateId: agreementId,
      payload: { agreementId, status, on: "2025-01-15", at: "2025-01-15T10:00:00.000Z" },
      createdAt: new Date().toISOString(),
    };
    const r = await postInternal(origination.url, "/internal/agreement-events", { messages: [m] });
    expect(r.status).toBe(200);
    return ((await r.json()) as { results: Array<Record<string, unknown>> }).results[0]!;
  };

  it("APPROVED → ACTIVE before PE's ack lands; the late ack leaves ACTIVE; then CLOSED; repeats answer the same", async () => {
    const p = await approvedApp();
    expect(await report(p.agreementId, "ACTIVE")).toMatchObject({ outcome: "ok", result: { status: "ACTIVE" } });
    await ackDecision(origination.db, p.agreementId, "APPROVED");
    expect(await statusOf(p.agreementId)).toBe("ACTIVE");
    expect(await report(p.agreementId, "ACTIVE")).toMatchObject({ outcome: "ok", result: { status: "ACTIVE" } });
    expect(await report(p.agreementId, "CLOSED")).toMatchObject({ result: { status: "CLOSED" } });
    expect(await report(p.agreementId, "ACTIVE")).toMatchObject({ result: { status: "CLOSED" } });
  });

  it("PAYMENT_PENDING → DISBURSEMENT_FAILED, final; contradictions and unknown agreements are refused", async () => {
    const p = await approvedApp();
    await ackDecision(origination.db, p.agreementId, "APPROVED");
    expect(await statusOf(p.agreementId)).toBe("PAYMENT_PENDING");
    expect(await report(p.agreementId, "DISBURSEMENT_FAILED")).toMatchObject({
      result: { status: "DISBURSEMENT_FAILED" },
    });
    expect(await report(p.agreementId, "ACTIVE")).toMatchObject({
      outcome: "rejected",
      error: { code: "CONTRADICTION" },
    });
    expect(await report(crypto.randomUUID(), "ACTIVE")).toMatchObject({
      outcome: "rejected",
      error: { code: "UNKNOWN_AGREEMENT" },
    });
    expect(await statusOf(p.agreementId)).toBe("DISBURSEMENT_FAILED");
  });

  it("the income rule counts an ACTIVE loan of the client, not a CLOSED or failed one", async () => {
    const clientId = crypto.randomUUID();
    // 30000 of 100000 each: two together exceed 50 %.
    const loan = { clientId, monthlyIncome: "100000.00", monthlyPayment: "30000.00" };
    const active = await approvedApp(loan);
    await report(active.agreementId, "ACTIVE");
    // Scored by the worker, after the ACTIVE report committed.
    const next = agreement(loan);
    await sendIntake(origination.url, [message(next)]);
    await waitFor(async () => (await statusOf(next.agreementId)) === "REJECTED", "the rejection");

    const closedClient = crypto.randomUUID();
    const closedLoan = await approvedApp({ ...loan, clientId: closedClient });
    await report(closedLoan.agreementId, "ACTIVE");
    await report(closedLoan.agreementId, "CLOSED");
    const after = await approvedApp({ ...loan, clientId: closedClient });
    expect(await statusOf(after.agreementId)).toBe("APPROVED");
  });

  it("answers a mixed batch alike and leaves the same rows, applied set-based (handleMany) or one at a time (handle)", async () => {
    const moving = await approvedApp();
    const pending = await approvedApp();
    await ackDecision(origination.db, pending.agreementId, "APPROVED");
    const active = await approvedApp();
    await report(active.agreementId, "ACTIVE");
    const twice = await approvedApp();
    const rejected = agreement({ monthlyIncome: "0.00" });
    await sendIntake(origination.url, [message(rejected)]);
    await waitFor(async () => (await statusOf(rejected.agreementId)) === "REJECTED", "the rejection");
    const unknown = crypto.randomUUID();
    const change = (agreementId: string, status: LoanStatus, on: string) => ({
      id: String(seq++),
      topic: "agreement.status-changed",
      aggregateId: agreementId,
      payload: agreementStatusChanged.payload.parse({ agreementId, status, on, at: `${on}T10:00:00.000Z` }),
      createdAt: new Date().toISOString(),
    });
    const messages: WireMessage<AgreementStatusChanged>[] = byAggregate([
      change(moving.agreementId, "ACTIVE", "2025-02-01"),
      change(pending.agreementId, "DISBURSEMENT_FAILED", "2025-02-02"),
      change(active.agreementId, "ACTIVE", "2025-02-03"),
      change(rejected.agreementId, "ACTIVE", "2025-02-04"),
      change(unknown, "CLOSED", "2025-02-05"),
      // Two of one agreement in a batch, which PE's relay does not send: still applied in turn.
      change(twice.agreementId, "ACTIVE", "2025-02-06"),
      change(twice.agreementId, "CLOSED", "2025-02-07"),
    ]);
    const ids = [moving, pending, active, rejected, twice].map((p) => p.agreementId);
    const rowsIn = (trx: Transaction<OriginationDB>) =>
      trx
        .selectFrom("applications")
        .select(["agreement_id", "status", "active_on", "closed_on"])
        .where("agreement_id", "in", ids)
        .orderBy("agreement_id")
        .execute();
    const many = await rolledBack(origination.db, async (trx) => ({
      answers: await statusChangedHandler.handleMany!(trx, messages),
      rows: await rowsIn(trx),
    }));
    const one = await rolledBack(origination.db, async (trx) => {
      const answers = [];
      for (const m of messages) answers.push(await statusChangedHandler.handle(trx, m).catch(refused));
      return { answers, rows: await rowsIn(trx) };
    });
    expect(many).toEqual(one);
    const answerOf = (id: string) =>
      messages.flatMap((m, i) => (m.payload.agreementId === id ? [many.answers[i]] : []));
    expect(answerOf(moving.agreementId)).toEqual([{ outcome: "ok", result: { status: "ACTIVE" } }]);
    expect(answerOf(pending.agreementId)).toEqual([{ outcome: "ok", result: { status: "DISBURSEMENT_FAILED" } }]);
    expect(answerOf(active.agreementId)).toEqual([{ outcome: "ok", result: { status: "ACTIVE" } }]);
    expect(answerOf(rejected.agreementId)).toMatchObject([{ outcome: "rejected", error: { code: "CONTRADICTION" } }]);
    expect(answerOf(unknown)).toMatchObject([{ outcome: "rejected", error: { code: "UNKNOWN_AGREEMENT" } }]);
    expect(answerOf(twice.agreementId)).toEqual([
      { outcome: "ok", result: { status: "ACTIVE" } },
      { outcome: "ok", result: { status: "CLOSED" } },
    ]);
    const rows = new Map(many.rows.map((r) => [r.agreement_id, r]));
    expect(rows.get(moving.agreementId)).toMatchObject({ status: "ACTIVE", active_on: "2025-02-01", closed_on: null });
    expect(rows.get(twice.agreementId)).toMatchObject({
      status: "CLOSED",
      active_on: "2025-02-06",
      closed_on: "2025-02-07",
    });
    // The one already ACTIVE keeps the date it had.
    expect(rows.get(active.agreementId)).toMatchObject({ status: "ACTIVE", active_on: "2025-01-15" });
  });
});
