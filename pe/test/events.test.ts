import { waitFor } from "@loans/shared/test-kit/wait";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withdrawAgreement } from "../src/agreements/withdraw.service.ts";
import { application, call, callInternal, startTestPe, type TestPe } from "./helpers.ts";
import { approvedLoan, disburseAndPay, loan, moveTo, pay, wire } from "./servicing-helpers.ts";

// EVENTS §6.1 through PE's API: every status move, schedule version and payment is exactly one event,
// written in the change's transaction; a change that does not commit has none.
let pe: TestPe;
beforeAll(async () => {
  pe = await startTestPe({ BUSINESS_CLOCK: "manual", BUSINESS_DATE_START: "2025-01-10" });
});
afterAll(() => pe?.stop());

interface Envelope {
  id: string;
  type: string;
  subject: string;
  sequence: string;
  businessdate?: string;
  // biome-ignore lint/suspicious/noExplicitAny: each type's data is read by the assertions
  data: any;
}

/** The feed's events of one subject, once `n` of them are served (the feed waits for settled rows). */
async function eventsOf(subject: string, n: number): Promise<Envelope[]> {
  return waitFor(
    async () => {
      const r = await call(pe.url, "GET", `/events?subject=${subject}&limit=500`);
      expect(r.status).toBe(200);
      return r.body.items.length >= n ? (r.body.items as Envelope[]) : null;
    },
    { what: `${n} events of ${subject}` },
  );
}

/** The rows, not the feed: what was written whatever has settled. */
async function written(subject: string): Promise<Array<{ type: string; data: Record<string, unknown> }>> {
  const { rows } = await sql<{ type: string; data: Record<string, unknown> }>`
    select type, data from events where subject = ${subject} order by xid, position`.execute(pe.db);
  return rows;
}

const moves = (events: Envelope[]) =>
  events
    .filter((e) => e.type === "agreement.status-changed")
    .map((e) => `${e.data.from}→${e.data.to}:${e.data.reason.code}`);

describe("PE's events", () => {
  it("a loan's life: created, each move once with from, to and reason, its schedule versions, its payments", async () => {
    const id = await approvedLoan(pe);
    await disburseAndPay(pe, id);
    await moveTo(pe, "2025-02-10");
    const applied = await pay(pe, id, { amount: "10000.00" });
    expect(applied.outcome).toBe("ok");
    const quote = await call(pe.url, "GET", `/agreements/${id}/payoff-quote`);
    const closed = await pay(pe, id, { amount: quote.body.amount, purpose: "EARLY_REPAYMENT" });
    expect(closed.outcome).toBe("ok");
    expect((await loan(pe, id)).status).toBe("CLOSED");

    const history = (await loan(pe, id)).statusHistory as Array<{ status: string }>;
    const events = await eventsOf(id, 9);
    // Schedule versions aside (checked below against the stored ones), the story in order. One transaction
    // writes in the order it goes: the payoff's move to CLOSED, then the payment's own event, which needs
    // the allocation that ended it.
    expect(events.filter((e) => e.type !== "agreement.schedule-changed").map((e) => e.type)).toEqual([
      "agreement.created",
      "agreement.status-changed",
      "agreement.status-changed",
      "agreement.status-changed",
      "payment.applied",
      "agreement.status-changed",
      "payment.applied",
    ]);
    // One event per status entered after NEW, no more: the history and the events tell one story.
    expect(moves(events)).toEqual([
      "NEW→APPROVED:APPROVED",
      "APPROVED→DISBURSING:DISBURSE",
      "DISBURSING→ACTIVE:PAYOUT_PAID",
      "ACTIVE→CLOSED:PAID_OFF",
    ]);
    expect(history.map((h) => h.status)).toEqual(["NEW", "APPROVED", "DISBURSING", "ACTIVE", "CLOSED"]);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(events.every((e) => e.businessdate !== undefined)).toBe(true);
    expect(events.find((e) => e.type === "payment.applied")).toMatchObject({
      businessdate: "2025-02-10",
      data: { agreementId: id, amount: "10000.00", valueDate: "2025-02-10", allocation: applied.result.allocation },
    });
    const created = events[0]!;
    expect(created.data).toMatchObject({
      agreementId: id,
      status: "NEW",
      disbursementAmount: "300000.00",
      termMonths: 12,
    });
    // The application's personal data stays in PE: no passport, phone, e-mail, name, birth date, income.
    expect(JSON.stringify(events)).not.toMatch(/passport|phone|email|Petrov|1990-05-17|150000/i);
    // Exactly one event per stored schedule version, with its rows.
    const versions = events.filter((e) => e.type === "agreement.schedule-changed");
    const { rows: stored } = await sql<{ version: number; reason: string; n: number }>`
      select version, reason, count(*)::int as n from schedule_versions where agreement_id = ${id}
      group by version, reason order by version`.execute(pe.db);
    expect(versions.map((e) => [e.data.version, e.data.reason, e.data.rows.length])).toEqual(
      stored.map((v) => [v.version, v.reason, v.n]),
    );
    expect(stored[0]!.reason).toBe("DISBURSEMENT");
    expect(stored.at(-1)!.reason).toBe("PAYOFF");
  });

  it("a rejection carries the decision's reasons; a withdrawal its own reason", async () => {
    const rejected = (await call(pe.url, "POST", "/agreements", application())).body.id as string;
    const reasons = [{ code: "DTI", message: "payments over half the income" }];
    const d = await callInternal(pe.url, "/internal/decisions", {
      messages: [
        wire("application.decided", rejected, {
          agreementId: rejected,
          result: "REJECTED",
          reasons,
          decidedAt: new Date().toISOString(),
        }),
      ],
    });
    expect(d.body.results[0].outcome).toBe("ok");
    const r = await eventsOf(rejected, 2);
    expect(r[1]!.data).toMatchObject({
      from: "NEW",
      to: "REJECTED",
      reason: { code: "REJECTED" },
      decisionReasons: reasons,
    });

    const withdrawn = (await call(pe.url, "POST", "/agreements", application())).body.id as string;
    expect((await call(pe.url, "POST", `/agreements/${withdrawn}/withdraw`)).status).toBe(200);
    // A repeat moves nothing and writes nothing.
    expect((await call(pe.url, "POST", `/agreements/${withdrawn}/withdraw`)).status).toBe(200);
    expect(moves(await eventsOf(withdrawn, 2))).toEqual(["NEW→WITHDRAWN:WITHDRAW"]);
    expect((await written(withdrawn)).length).toBe(2);
  });

  it("a refused move writes no event: a withdrawal of a REJECTED agreement is 409 and the feed is unchanged", async () => {
    const id = (await call(pe.url, "POST", "/agreements", application())).body.id as string;
    await callInternal(pe.url, "/internal/decisions", {
      messages: [
        wire("application.decided", id, {
          agreementId: id,
          result: "REJECTED",
          reasons: [],
          decidedAt: new Date().toISOString(),
        }),
      ],
    });
    const before = await written(id);
    const r = await call(pe.url, "POST", `/agreements/${id}/withdraw`);
    expect(r.status).toBe(409);
    expect(await written(id)).toEqual(before);
  });

  it("a change whose transaction fails at commit leaves neither the change nor its event", async () => {
    const id = (await call(pe.url, "POST", "/agreements", application())).body.id as string;
    // A constraint checked at COMMIT refuses this agreement's WITHDRAWN row: everything before it was
    // written (the status, the history row, the event, the outbox message), then the commit fails.
    await sql`
      create or replace function refuse_withdrawn() returns trigger language plpgsql as $$
      begin
        if new.status = 'WITHDRAWN' and new.agreement_id = ${sql.lit(id)}::uuid then
          raise exception 'refused at commit' using errcode = 'check_violation';
        end if;
        return new;
      end $$`.execute(pe.db);
    await sql`
      create constraint trigger refuse_withdrawn after insert on agreement_status_history
      deferrable initially deferred for each row execute function refuse_withdrawn()`.execute(pe.db);
    try {
      const r = await call(pe.url, "POST", `/agreements/${id}/withdraw`);
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.body.error.code).toBeTypeOf("string");
      expect((await loan(pe, id)).status).toBe("NEW");
      expect((await written(id)).map((e) => e.type)).toEqual(["agreement.created"]);
    } finally {
      await sql`drop trigger refuse_withdrawn on agreement_status_history`.execute(pe.db);
    }
  });

  it("a move in a transaction that rolls back has no event; the same move committed has one", async () => {
    const id = (await call(pe.url, "POST", "/agreements", application())).body.id as string;
    await expect(
      pe.db.transaction().execute(async (trx) => {
        expect(await withdrawAgreement(trx, id)).toEqual({ moved: true });
        expect((await written(id)).length).toBe(1); // another connection sees nothing uncommitted
        throw new Error("the caller gives up");
      }),
    ).rejects.toThrow("gives up");
    expect((await written(id)).map((e) => e.type)).toEqual(["agreement.created"]);
    await pe.db.transaction().execute((trx) => withdrawAgreement(trx, id));
    expect((await written(id)).map((e) => e.type)).toEqual(["agreement.created", "agreement.status-changed"]);
  });

  it("the daily job's business-date.closed: once per date, with its counts, however often it runs", async () => {
    await moveTo(pe, "2025-02-12");
    const closed = await waitFor(async () => {
      const r = await call(pe.url, "GET", "/events?types=business-date.closed&subject=business-date&limit=500");
      const dates = (r.body.items as Envelope[]).map((e) => e.data.date as string);
      return dates.includes("2025-02-12") ? (r.body.items as Envelope[]) : null;
    });
    const dates = closed.map((e) => e.data.date);
    expect(new Set(dates).size).toBe(dates.length);
    expect(dates).toContain("2025-02-11");
    const last = closed.find((e) => e.data.date === "2025-02-12")!;
    expect(last.businessdate).toBe("2025-02-12");
    expect(last.data).toMatchObject({ overdueMarked: expect.any(Number), penaltyPosted: expect.any(String) });
  });
});
