import { randomUUID } from "node:crypto";
import type { TestDatabase } from "@loans/db/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  agreement,
  errorShape,
  message,
  type Origination,
  postInternal,
  type Signing,
  sendIntake,
  startTestOrigination,
} from "./helpers.ts";

let database: TestDatabase;
let origination: Origination;

// Scoring is held back for the whole file: every answer here is about intake alone.
beforeAll(async () => {
  ({ database, service: origination } = await startTestOrigination({ SCORING_DELAY_MS: "600000" }));
});
afterAll(async () => {
  await origination?.stop();
  await database?.drop();
});

const applicationsOf = (ids: string[]) =>
  origination.db.selectFrom("applications").selectAll().where("agreement_id", "in", ids).execute();

const scoringJobsOf = async (agreementId: string) => {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from pgboss.job where name = 'scoring' and data->>'agreementId' = ${agreementId}`.execute(
    origination.db,
  );
  return rows[0]?.n;
};

describe("POST /internal/applications", () => {
  it("answers the same batch sent three times alike, with one application per agreement", async () => {
    const batch = [message(agreement()), message(agreement()), message(agreement())];
    const ids = batch.map((m) => m.aggregateId);
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await sendIntake(origination.url, batch));
    expect(answers[0]).toEqual(
      batch.map((m) => ({ id: m.id, outcome: "ok", result: { status: "IN_PROGRESS", decision: null } })),
    );
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    const rows = await applicationsOf(ids);
    expect(rows).toHaveLength(3);
    for (const r of rows) expect(r.status).toBe("IN_PROGRESS");
    // One scoring job per application, written with it.
    for (const id of ids) expect(await scoringJobsOf(id)).toBe(1);
  });

  it("stores what the message says", async () => {
    const p = agreement();
    await sendIntake(origination.url, [message(p)]);
    const [row] = await applicationsOf([p.agreementId]);
    expect(row).toMatchObject({
      agreement_id: p.agreementId,
      client_id: p.clientId,
      product_code: p.productCode,
      birth_date: p.birthDate,
      monthly_income: p.monthlyIncome,
      principal: p.principal,
      term_months: p.termMonths,
      interest_rate: "12.5000",
      monthly_payment: p.monthlyPayment,
      last_due_date: p.lastDueDate,
      decision_result: null,
      decided_at: null,
    });
  });

  it("refuses a changed payload under a known agreement id, for that item only", async () => {
    const first = agreement();
    await sendIntake(origination.url, [message(first)]);
    const changed = message({ ...first, monthlyPayment: "27170.48" });
    const fresh = message(agreement());
    const results = await sendIntake(origination.url, [changed, fresh]);
    expect(results[0]).toEqual({
      id: changed.id,
      outcome: "rejected",
      error: { code: "CONFLICT", message: expect.stringContaining(first.agreementId) },
    });
    expect(results[1]).toEqual({ id: fresh.id, outcome: "ok", result: { status: "IN_PROGRESS", decision: null } });
    const [kept] = await applicationsOf([first.agreementId]);
    expect(kept?.monthly_payment).toBe("27170.47");
    expect(await scoringJobsOf(first.agreementId)).toBe(1);
  });

  it("treats the same amounts written differently as the same payload", async () => {
    const p = agreement();
    await sendIntake(origination.url, [message(p)]);
    const respelled = {
      ...p,
      agreementId: p.agreementId.toUpperCase(),
      clientId: p.clientId.toUpperCase(),
      monthlyIncome: 150000,
      principal: "305000.0",
      interestRate: "12.50",
    };
    const [r] = await sendIntake(origination.url, [message(respelled)]);
    expect(r).toMatchObject({ outcome: "ok", result: { status: "IN_PROGRESS" } });
    expect(await applicationsOf([p.agreementId])).toHaveLength(1);
  });

  it("refuses an invalid item or an unknown topic for that item only, writing nothing for it", async () => {
    const bad = agreement({ birthDate: "1990-02-30", monthlyPayment: "1.001", termMonths: 0 });
    const good = agreement();
    const stranger = agreement();
    const results = await sendIntake(origination.url, [
      message(bad),
      message(stranger, { topic: "agreement.teleported" }),
      message(good),
    ]);
    expect(results.map((r) => [r.outcome, r.error?.code])).toEqual([
      ["rejected", "VALIDATION_FAILED"],
      ["rejected", "UNKNOWN_TOPIC"],
      ["ok", undefined],
    ]);
    for (const field of ["birthDate", "monthlyPayment", "termMonths"])
      expect(results[0]?.error?.message).toContain(field);
    expect(
      (await applicationsOf([bad.agreementId, stranger.agreementId, good.agreementId])).map((r) => r.agreement_id),
    ).toEqual([good.agreementId]);
  });

  it.each(["none", "wrong-secret", "other-body", "other-path", "stale"] as const)(
    "answers 401 to a request signed %s and writes nothing",
    async (signing: Signing) => {
      const p = agreement();
      const r = await postInternal(origination.url, "/internal/applications", { messages: [message(p)] }, signing);
      expect(r.status).toBe(401);
      expect(r.headers.get("www-authenticate")).toBe('Signature realm="internal", headers="X-Signature"');
      expect(await r.json()).toMatchObject({ error: { code: "UNAUTHORIZED" } });
      expect(await applicationsOf([p.agreementId])).toEqual([]);
      expect(await scoringJobsOf(p.agreementId)).toBe(0);
    },
  );

  it("answers 400 to a malformed envelope", async () => {
    for (const body of [{}, { messages: [] }, { messages: [{ id: "1" }] }, [randomUUID()]]) {
      const r = await postInternal(origination.url, "/internal/applications", body);
      expect(r.status).toBe(400);
      expect(await r.json()).toEqual(errorShape);
    }
  });
});
