import type { ApplicationDecided } from "@loans/contracts";
import { createTestDatabase, type TestDatabase } from "@loans/db/testing";
import { createDatabase, type DatabaseHandle } from "@loans/shared";
import { byAggregate, type WireMessage } from "@loans/shared/outbox";
import { sql, type Transaction } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApplicationView } from "../src/applications/applications.schemas.ts";
import { applyDecisionAck, applyDecisionAcks } from "../src/applications/decision-ack.ts";
import type { ApplicationStatus, OriginationDB } from "../src/db.ts";
import { type ScoringDeps, scoreApplication, scoreApplications } from "../src/scoring/scoring.service.ts";
import {
  type AgreementPayload,
  ackDecision,
  agreement,
  getJson,
  message,
  type Origination,
  outboxOf as outboxOfDb,
  scoringDeps,
  sendIntake,
  startTestOrigination,
  waitFor,
  waitForTwoBlocked,
} from "./helpers.ts";

let database: TestDatabase;
let origination: Origination;
let scoring: ScoringDeps;
// A database of its own with no service on it, so no scoring worker: the tests that score by hand use it.
// On the service's, the worker would take their IN_PROGRESS applications (the table is its queue).
let quietDatabase: TestDatabase;
let quiet: DatabaseHandle<OriginationDB>;
let byHand: ScoringDeps;

beforeAll(async () => {
  ({ database, service: origination } = await startTestOrigination());
  scoring = scoringDeps(origination.db);
  quietDatabase = await createTestDatabase("origination");
  quiet = createDatabase<OriginationDB>(quietDatabase.url);
  byHand = scoringDeps(quiet.db);
});
afterAll(async () => {
  await origination?.stop();
  await database?.drop();
  await quiet?.close();
  await quietDatabase?.drop();
});

const application = (id: string) => getJson<ApplicationView>(`${origination.url}/applications/${id}`);

const decided = (id: string) =>
  waitFor(async () => {
    const { body } = await application(id);
    return body.decision ? body : undefined;
  }, `a decision on ${id}`);

const outboxOf = (id: string) => outboxOfDb(origination.db, id);

const statusOf = async (id: string, db = origination.db) =>
  await db
    .selectFrom("applications")
    .select(["status", "updated_at"])
    .where("agreement_id", "=", id)
    .executeTakeFirstOrThrow();

/** An application as intake would store it, in the database with no scoring worker: the test scores it itself. */
async function insertUnscored(p: AgreementPayload, status: ApplicationStatus = "IN_PROGRESS", requestId?: string) {
  await quiet.db
    .insertInto("applications")
    .values({
      agreement_id: p.agreementId,
      client_id: p.clientId,
      status,
      product_code: p.productCode,
      birth_date: p.birthDate,
      monthly_income: String(p.monthlyIncome),
      principal: String(p.principal),
      term_months: p.termMonths,
      interest_rate: String(p.interestRate),
      monthly_payment: String(p.monthlyPayment),
      last_due_date: p.lastDueDate,
      payload_hash: "inserted by the test",
      request_id: requestId ?? null,
    })
    .execute();
}

const ack = (agreementId: string) => ackDecision(origination.db, agreementId, "APPROVED");

describe("intake → scoring → decision", () => {
  it("approves, with one application.decided outbox row, and answers a repeated intake with the decision", async () => {
    const p = agreement();
    const m = message(p);
    await sendIntake(origination.url, [m]);
    const app = await decided(p.agreementId);
    expect(app).toEqual({
      agreementId: p.agreementId,
      clientId: p.clientId,
      status: "APPROVED",
      decision: { result: "APPROVED", reasons: [], decidedAt: expect.any(String) },
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const rows = await outboxOf(p.agreementId);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.topic).toBe("application.decided");
    expect(rows[0]?.payload).toEqual({
      agreementId: p.agreementId,
      result: "APPROVED",
      reasons: [],
      decidedAt: app.decision?.decidedAt,
    });
    // PE lost the first answer and sends the agreement again (design note, Origination-3).
    const [again] = await sendIntake(origination.url, [m]);
    expect(again).toEqual({ id: m.id, outcome: "ok", result: { status: "APPROVED", decision: app.decision } });
  });

  it("rejects with every failing rule as a reason", async () => {
    const p = agreement({ birthDate: "1940-01-01", monthlyIncome: "0.00" });
    await sendIntake(origination.url, [message(p)]);
    const app = await decided(p.agreementId);
    expect(app.status).toBe("REJECTED");
    expect(app.decision?.reasons).toEqual([
      { code: "AGE", message: expect.stringMatching(/over the maximum age 70/) },
      { code: "PAYMENT_TO_INCOME", message: "payments 27170.47 cannot be paid from income 0.00" },
    ]);
    const rows = await outboxOf(p.agreementId);
    expect(rows.map((r) => r.payload)).toEqual([
      {
        agreementId: p.agreementId,
        result: "REJECTED",
        reasons: app.decision?.reasons,
        decidedAt: app.decision?.decidedAt,
      },
    ]);
  });

  it("does nothing when a decided application is scored again", async () => {
    const p = agreement();
    await sendIntake(origination.url, [message(p)]);
    await decided(p.agreementId);
    expect(await scoreApplication(scoring, p.agreementId)).toBeNull();
    expect(await outboxOf(p.agreementId)).toHaveLength(1);
  });
});

describe("applyDecisionAck", () => {
  it("moves APPROVED to PAYMENT_PENDING once; a repeat changes nothing", async () => {
    const p = agreement();
    await sendIntake(origination.url, [message(p)]);
    await decided(p.agreementId);
    await ack(p.agreementId);
    const first = await statusOf(p.agreementId);
    expect(first.status).toBe("PAYMENT_PENDING");
    await ack(p.agreementId);
    expect(await statusOf(p.agreementId)).toEqual(first);
    expect((await application(p.agreementId)).body.decision?.result).toBe("APPROVED");
  });

  it("leaves REJECTED and WITHDRAWN as they are", async () => {
    const rejected = agreement({ monthlyIncome: "0.00" });
    await sendIntake(origination.url, [message(rejected)]);
    await decided(rejected.agreementId);
    await ack(rejected.agreementId);
    expect((await statusOf(rejected.agreementId)).status).toBe("REJECTED");

    const withdrawn = agreement();
    await insertUnscored(withdrawn);
    expect((await scoreApplication(byHand, withdrawn.agreementId))?.result).toBe("APPROVED");
    await sql`update applications set status = 'WITHDRAWN' where agreement_id = ${withdrawn.agreementId}`.execute(
      quiet.db,
    );
    await ackDecision(quiet.db, withdrawn.agreementId, "APPROVED");
    expect((await statusOf(withdrawn.agreementId, quiet.db)).status).toBe("WITHDRAWN");
  });
});

describe("applyDecisionAcks (the relay's onAnswers)", () => {
  it("moves what applyDecisionAck one answer at a time moves, in one statement", async () => {
    const approved = agreement();
    const rejected = agreement({ monthlyIncome: "0.00" });
    const pendingAlready = agreement();
    const withdrawn = agreement();
    const ps = [approved, rejected, pendingAlready, withdrawn];
    for (const p of ps) await insertUnscored(p);
    await scoreApplications(
      byHand,
      ps.map((p) => p.agreementId),
    );
    await ackDecision(quiet.db, pendingAlready.agreementId, "APPROVED");
    await sql`update applications set status = 'WITHDRAWN' where agreement_id = ${withdrawn.agreementId}`.execute(
      quiet.db,
    );
    const ids = ps.map((p) => p.agreementId);
    const rows = await quiet.db.selectFrom("outbox").selectAll().where("aggregate_id", "in", ids).execute();
    const wire = rows.map(
      (r): WireMessage => ({
        id: r.id,
        topic: r.topic,
        aggregateId: r.aggregate_id,
        payload: r.payload,
        createdAt: r.created_at.toISOString(),
      }),
    );
    // No other topic's answer reaches these handlers: the relay's route is the contract's (route()).
    const answers = byAggregate(wire).map((message) => ({ message, result: { status: "APPROVED" } }));

    const statuses = async (trx: Transaction<OriginationDB>) =>
      Object.fromEntries(
        (
          await trx
            .selectFrom("applications")
            .select(["agreement_id", "status"])
            .where("agreement_id", "in", ids)
            .execute()
        ).map((r) => [r.agreement_id, r.status]),
      );
    const ROLLBACK = new Error("rolled back by the test");
    const rolledBack = async (fn: (trx: Transaction<OriginationDB>) => Promise<void>) => {
      let after: Record<string, string> = {};
      await quiet.db
        .transaction()
        .execute(async (trx) => {
          await fn(trx);
          after = await statuses(trx);
          throw ROLLBACK;
        })
        .catch((err) => {
          if (err !== ROLLBACK) throw err;
        });
      return after;
    };
    const many = await rolledBack((trx) =>
      applyDecisionAcks(trx, answers as Array<{ message: WireMessage<ApplicationDecided> }>),
    );
    const one = await rolledBack(async (trx) => {
      for (const a of answers) await applyDecisionAck(trx, a.message as WireMessage<ApplicationDecided>);
    });
    expect(many).toEqual(one);
    expect(many).toEqual({
      [approved.agreementId]: "PAYMENT_PENDING",
      [rejected.agreementId]: "REJECTED",
      [pendingAlready.agreementId]: "PAYMENT_PENDING",
      [withdrawn.agreementId]: "WITHDRAWN",
    });
  });
});

describe("payment to income across a client's applications", () => {
  // 30000 of 100000 is fine alone; two of them, 60 %, are not.
  const pair = () => {
    const clientId = crypto.randomUUID();
    const p = { clientId, monthlyIncome: "100000.00", monthlyPayment: "30000.00" };
    return [agreement(p), agreement(p)] as const;
  };

  it("approves exactly one of two applications scored at the same time", async () => {
    const [a, b] = pair();
    await insertUnscored(a);
    await insertUnscored(b);
    // A barrier: with the outbox locked, a scoring that has decided cannot write its outbox row and
    // commit. Both scorings are started and the test waits until both are stuck (at the barrier, or at
    // the client lock behind the other); without the client lock both would be at the barrier, each
    // having read that the client had no other approved loan.
    const holder = new pg.Client({ connectionString: quietDatabase.url });
    await holder.connect();
    try {
      await holder.query("begin");
      await holder.query("lock table outbox in share mode");
      const both = Promise.all([scoreApplication(byHand, a.agreementId), scoreApplication(byHand, b.agreementId)]);
      await waitForTwoBlocked(holder, "both scorings to be waiting");
      await holder.query("commit");
      const decisions = await both;
      expect(decisions.map((d) => d?.result).sort()).toEqual(["APPROVED", "REJECTED"]);
      const rejected = decisions.find((d) => d?.result === "REJECTED");
      expect(rejected?.reasons).toEqual([
        {
          code: "PAYMENT_TO_INCOME",
          message:
            "payments 60000.00 (this loan 30000.00, other approved loans 30000.00) exceed 50% of income 100000.00",
        },
      ]);
    } finally {
      await holder.end();
    }
  });

  it("approves exactly one when both arrive in one intake batch", async () => {
    const [a, b] = pair();
    await sendIntake(origination.url, [message(a), message(b)]);
    const results = [(await decided(a.agreementId)).status, (await decided(b.agreementId)).status];
    expect(results.sort()).toEqual(["APPROVED", "REJECTED"]);
  });

  it("scores a batch as if one after the other in agreement order, each decision with its request id", async () => {
    const [a, b] = pair();
    const [c] = pair();
    // The request id is the application's own, stored at intake; b came with none.
    await insertUnscored(a, "IN_PROGRESS", "req-a");
    await insertUnscored(b);
    await insertUnscored(c, "IN_PROGRESS", "req-c");
    const [first, second] = [a, b].sort((x, y) => (x.agreementId < y.agreementId ? -1 : 1));
    const unknown = crypto.randomUUID();
    const decisions = await scoreApplications(byHand, [
      second!.agreementId,
      c.agreementId,
      first!.agreementId,
      unknown,
    ]);
    expect(decisions.has(unknown)).toBe(false);
    expect(decisions.get(first!.agreementId)?.result).toBe("APPROVED");
    expect(decisions.get(c.agreementId)?.result).toBe("APPROVED");
    expect(decisions.get(second!.agreementId)?.reasons.map((r) => r.message)).toEqual([
      "payments 60000.00 (this loan 30000.00, other approved loans 30000.00) exceed 50% of income 100000.00",
    ]);
    for (const p of [a, b, c])
      expect((await statusOf(p.agreementId, quiet.db)).status).toBe(decisions.get(p.agreementId)?.result);
    const requestIdOf = async (id: string) =>
      (
        await quiet.db
          .selectFrom("outbox")
          .select("request_id")
          .where("aggregate_id", "=", id)
          .executeTakeFirstOrThrow()
      ).request_id;
    expect(await requestIdOf(a.agreementId)).toBe("req-a");
    expect(await requestIdOf(b.agreementId)).toBeNull();
    expect(await requestIdOf(c.agreementId)).toBe("req-c");
    // Scored again, nothing is decided twice.
    expect((await scoreApplications(byHand, [a.agreementId, b.agreementId, c.agreementId])).size).toBe(0);
  });

  it("counts an application waiting for payment, and not a withdrawn one", async () => {
    const [a, b] = pair();
    await sendIntake(origination.url, [message(a)]);
    await decided(a.agreementId);
    await ack(a.agreementId);
    await sendIntake(origination.url, [message(b)]);
    expect((await decided(b.agreementId)).status).toBe("REJECTED");

    const [c, d] = pair();
    await insertUnscored(c, "WITHDRAWN");
    await insertUnscored(d);
    expect((await scoreApplication(byHand, d.agreementId))?.result).toBe("APPROVED");
  });
});
