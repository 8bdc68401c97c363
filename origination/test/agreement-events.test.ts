import type { TestDatabase } from "@loans/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LoanStatus, loanTransition } from "../src/agreement-events/transitions.ts";
import { APPLICATION_STATUSES } from "../src/applications/applications.schemas.ts";
import type { ApplicationStatus } from "../src/db.ts";
import { scoreApplication } from "../src/scoring/scoring.service.ts";
import {
  ackDecision,
  agreement,
  getJson,
  message,
  type Origination,
  postInternal,
  scoringDeps,
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
    const next = agreement(loan);
    await origination.db
      .insertInto("applications")
      .values({
        agreement_id: next.agreementId,
        client_id: clientId,
        product_code: "CL1.0",
        birth_date: next.birthDate,
        monthly_income: "100000.00",
        principal: "305000.00",
        term_months: 12,
        interest_rate: "12.5",
        monthly_payment: "30000.00",
        last_due_date: next.lastDueDate,
        payload_hash: "inserted by the test",
      })
      .execute();
    const scoring = scoringDeps(origination.db);
    expect((await scoreApplication(scoring, next.agreementId))?.result).toBe("REJECTED");

    const closedClient = crypto.randomUUID();
    const closedLoan = await approvedApp({ ...loan, clientId: closedClient });
    await report(closedLoan.agreementId, "ACTIVE");
    await report(closedLoan.agreementId, "CLOSED");
    const after = await approvedApp({ ...loan, clientId: closedClient });
    expect(await statusOf(after.agreementId)).toBe("APPROVED");
  });
});
