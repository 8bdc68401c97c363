import { randomUUID } from "node:crypto";
import { agreementCreated } from "@loans/contracts";
import type { TestDatabase } from "@loans/db/testing";
import { byAggregate, type ReceivedOf, type WireMessage } from "@loans/shared/outbox";
import { sql, type Transaction } from "kysely";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { agreementCreatedHandler } from "../src/applications/applications.intake.ts";
import type { OriginationDB } from "../src/db.ts";
import {
  type AgreementPayload,
  agreement,
  errorShape,
  message,
  type Origination,
  postInternal,
  refused,
  rolledBack,
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

/** pg-boss scoring jobs, as intake sent until scoring read the applications table: none any more. */
const pgBossJobs = async () =>
  (await sql<{ n: number }>`select count(*)::int as n from pgboss.job where name = 'scoring'`.execute(origination.db))
    .rows[0]?.n;

const applicationsOf = (ids: string[]) =>
  origination.db.selectFrom("applications").selectAll().where("agreement_id", "in", ids).execute();

describe("POST /internal/applications", () => {
  it("answers the same batch sent three times alike, with one application per agreement", async () => {
    const batch = [
      message(agreement(), { requestId: "req-1" }),
      message(agreement(), { requestId: "req-2" }),
      message(agreement()),
    ];
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
    // Each IN_PROGRESS application is scoring's work item, with the request id it came with for the
    // decision to carry on; nothing else is queued for it.
    const requestIds = new Map(rows.map((r) => [r.agreement_id, [r.status, r.request_id]]));
    expect(ids.map((id) => requestIds.get(id))).toEqual([
      ["IN_PROGRESS", "req-1"],
      ["IN_PROGRESS", "req-2"],
      ["IN_PROGRESS", null],
    ]);
    expect(await pgBossJobs()).toBe(0);
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
    expect(kept?.status).toBe("IN_PROGRESS");
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

describe("a batch applied set-based (handleMany) or one message at a time (handle)", () => {
  const rowsIn = (trx: Transaction<OriginationDB>, ids: string[]) =>
    trx
      .selectFrom("applications")
      .select(["agreement_id", "status", "monthly_payment", "application_date", "payload_hash", "request_id"])
      .where("agreement_id", "in", ids)
      .orderBy("agreement_id")
      .execute();

  it("gives the same answers and rows for a mixed batch: new, repeat, changed repeat, withdrawn first, twice in the batch", async () => {
    const repeated = agreement();
    const changed = agreement();
    await sendIntake(origination.url, [message(repeated), message(changed)]);
    const withdrawnFirst = agreement();
    await origination.db
      .insertInto("withdrawals")
      .values({ agreement_id: withdrawnFirst.agreementId, withdrawn_at: new Date() })
      .execute();
    const fresh = agreement({ applicationDate: "2025-03-01" });
    const twice = agreement();
    const sent = {
      fresh: message(fresh, { requestId: "req-fresh" }),
      repeated: message(repeated),
      changed: message({ ...changed, monthlyPayment: "27170.48" }),
      withdrawnFirst: message(withdrawnFirst, { requestId: "req-withdrawn" }),
      twice: message(twice),
      twiceChanged: message({ ...twice, principal: "100000.00" }),
    };
    // As the receiver hands them over: in aggregate-id order (the two of one agreement as sent), parsed.
    const messages = byAggregate(Object.values(sent)).map((m) => ({
      ...m,
      payload: agreementCreated.payload.parse(m.payload),
    })) as WireMessage<ReceivedOf<typeof agreementCreated>>[];
    const ids = [fresh, repeated, changed, withdrawnFirst, twice].map((p) => p.agreementId);

    const many = await rolledBack(origination.db, async (trx) => ({
      answers: await agreementCreatedHandler.handleMany!(trx, messages),
      rows: await rowsIn(trx, ids),
    }));
    const one = await rolledBack(origination.db, async (trx) => {
      const answers = [];
      for (const m of messages) answers.push(await agreementCreatedHandler.handle(trx, m).catch(refused));
      return { answers, rows: await rowsIn(trx, ids) };
    });
    expect(many).toEqual(one);

    const byId = new Map(messages.map((m, i) => [m.id, many.answers[i]]));
    const inProgress = { outcome: "ok", result: { status: "IN_PROGRESS", decision: null } };
    const conflict = { outcome: "rejected", error: { code: "CONFLICT", message: expect.any(String) } };
    expect(Object.fromEntries(Object.entries(sent).map(([k, m]) => [k, byId.get(m.id)]))).toEqual({
      fresh: inProgress,
      repeated: inProgress,
      changed: conflict,
      withdrawnFirst: { outcome: "ok", result: { status: "WITHDRAWN", decision: null } },
      twice: inProgress,
      twiceChanged: conflict,
    });
    const rows = new Map(many.rows.map((r) => [r.agreement_id, r]));
    expect(rows.get(fresh.agreementId)).toMatchObject({ application_date: "2025-03-01", request_id: "req-fresh" });
    expect(rows.get(withdrawnFirst.agreementId)).toMatchObject({ status: "WITHDRAWN", request_id: "req-withdrawn" });
    expect(rows.get(changed.agreementId)?.monthly_payment).toBe("27170.47");
  });

  it("a batch over HTTP goes to handleMany in one call; when that throws, to handle for each, with the same answers", async () => {
    const handleMany = vi.spyOn(agreementCreatedHandler, "handleMany");
    const handle = vi.spyOn(agreementCreatedHandler, "handle");
    try {
      const batch = [message(agreement()), message(agreement()), message(agreement())];
      const inProgress = batch.map((m) => ({
        id: m.id,
        outcome: "ok",
        result: { status: "IN_PROGRESS", decision: null },
      }));
      expect(await sendIntake(origination.url, batch)).toEqual(inProgress);
      expect(handleMany).toHaveBeenCalledTimes(1);
      expect(handleMany.mock.calls[0]?.[1]).toHaveLength(3);
      expect(handle).not.toHaveBeenCalled();

      handleMany.mockRejectedValueOnce(new Error("set-based failed"));
      const again = [message(agreement()), message(agreement())];
      const changed = message({ ...(batch[0]!.payload as AgreementPayload), monthlyPayment: "1.00" });
      const results = await sendIntake(origination.url, [...again, changed]);
      expect(results).toEqual([
        ...again.map((m) => ({ id: m.id, outcome: "ok", result: { status: "IN_PROGRESS", decision: null } })),
        { id: changed.id, outcome: "rejected", error: { code: "CONFLICT", message: expect.any(String) } },
      ]);
      expect(handleMany).toHaveBeenCalledTimes(2);
      expect(handle).toHaveBeenCalledTimes(3);
    } finally {
      handleMany.mockRestore();
      handle.mockRestore();
    }
  });
});
