import type { TestDatabase } from "@loans/db/testing";
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApplicationView } from "../src/applications/applications.schemas.ts";
import type { ApplicationStatus } from "../src/db.ts";
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
} from "./helpers.ts";

let database: TestDatabase;
let origination: Origination;
let scoring: ScoringDeps;

beforeAll(async () => {
  ({ database, service: origination } = await startTestOrigination());
  scoring = scoringDeps(origination.db);
});
afterAll(async () => {
  await origination?.stop();
  await database?.drop();
});

const application = (id: string) => getJson<ApplicationView>(`${origination.url}/applications/${id}`);

const decided = (id: string) =>
  waitFor(async () => {
    const { body } = await application(id);
    return body.decision ? body : undefined;
  }, `a decision on ${id}`);

const outboxOf = (id: string) => outboxOfDb(origination.db, id);

const statusOf = async (id: string) =>
  await origination.db
    .selectFrom("applications")
    .select(["status", "updated_at"])
    .where("agreement_id", "=", id)
    .executeTakeFirstOrThrow();

/** An application as intake would store it, but with no scoring job: the test scores it itself. */
async function insertUnqueued(p: AgreementPayload, status: ApplicationStatus = "IN_PROGRESS") {
  await origination.db
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
    await insertUnqueued(withdrawn);
    await scoreApplication(scoring, withdrawn.agreementId);
    await sql`update applications set status = 'WITHDRAWN' where agreement_id = ${withdrawn.agreementId}`.execute(
      origination.db,
    );
    await ack(withdrawn.agreementId);
    expect((await statusOf(withdrawn.agreementId)).status).toBe("WITHDRAWN");
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
    await insertUnqueued(a);
    await insertUnqueued(b);
    // A barrier: with the outbox locked, a scoring that has decided cannot write its outbox row and
    // commit. Both scorings are started and the test waits until both are stuck (at the barrier, or at
    // the client lock behind the other); without the client lock both would be at the barrier, each
    // having read that the client had no other approved loan.
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    try {
      await holder.query("begin");
      await holder.query("lock table outbox in share mode");
      const both = Promise.all([scoreApplication(scoring, a.agreementId), scoreApplication(scoring, b.agreementId)]);
      await waitFor(async () => {
        // Inside the holder's transaction pg_stat_activity would show one snapshot forever.
        await holder.query("select pg_stat_clear_snapshot()");
        const { rows } = await holder.query<{ n: number }>(
          // Only the two scorings: waiting for the client lock, or to insert their outbox row. The service's
          // own relay may be waiting on the locked outbox too, and must not be counted.
          `select count(*)::int as n from pg_locks l join pg_stat_activity a on a.pid = l.pid
            where not l.granted and l.database = (select oid from pg_database where datname = current_database())
              and (l.locktype = 'advisory' or a.query ilike '%insert into outbox%')`,
        );
        return rows[0]?.n === 2;
      }, "both scorings to be waiting");
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
    for (const p of [a, b, c]) await insertUnqueued(p);
    const [first, second] = [a, b].sort((x, y) => (x.agreementId < y.agreementId ? -1 : 1));
    const unknown = crypto.randomUUID();
    const requestIds = new Map([[a.agreementId, "req-a"]]);
    const decisions = await scoreApplications(
      scoring,
      [second!.agreementId, c.agreementId, first!.agreementId, unknown],
      requestIds,
    );
    expect(decisions.has(unknown)).toBe(false);
    expect(decisions.get(first!.agreementId)?.result).toBe("APPROVED");
    expect(decisions.get(c.agreementId)?.result).toBe("APPROVED");
    expect(decisions.get(second!.agreementId)?.reasons.map((r) => r.message)).toEqual([
      "payments 60000.00 (this loan 30000.00, other approved loans 30000.00) exceed 50% of income 100000.00",
    ]);
    for (const p of [a, b, c])
      expect((await statusOf(p.agreementId)).status).toBe(decisions.get(p.agreementId)?.result);
    const requestIdOf = async (id: string) =>
      (
        await origination.db
          .selectFrom("outbox")
          .select("request_id")
          .where("aggregate_id", "=", id)
          .executeTakeFirstOrThrow()
      ).request_id;
    expect(await requestIdOf(a.agreementId)).toBe("req-a");
    expect(await requestIdOf(b.agreementId)).toBeNull();
    // Scored again, nothing is decided twice.
    expect((await scoreApplications(scoring, [a.agreementId, b.agreementId, c.agreementId])).size).toBe(0);
  });

  it("counts an application waiting for payment, and not a withdrawn one", async () => {
    const [a, b] = pair();
    await sendIntake(origination.url, [message(a)]);
    await decided(a.agreementId);
    await ack(a.agreementId);
    await sendIntake(origination.url, [message(b)]);
    expect((await decided(b.agreementId)).status).toBe("REJECTED");

    const [c, d] = pair();
    await insertUnqueued(c, "WITHDRAWN");
    await insertUnqueued(d);
    expect((await scoreApplication(scoring, d.agreementId))?.result).toBe("APPROVED");
  });
});
