import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { payoffQuoteExample } from "../src/openapi.examples.ts";
import { refundPayoutId } from "../src/servicing-store/refund-id.ts";
import { call, callInternal, startTestPe, type TestPe } from "./helpers.ts";
import { activeLoan, approvedLoan, checkMoney, disburseAndPay, loan, moveTo, pay, wire } from "./servicing-helpers.ts";

// LIFECYCLE §5 through PE's public API on a manual clock; PG's messages are signed by hand. The same
// story runs across all three services in e2e/test/servicing.e2e.test.ts.
let pe: TestPe;
beforeAll(async () => {
  pe = await startTestPe({ BUSINESS_CLOCK: "manual", BUSINESS_DATE_START: "2025-01-10" });
});
afterAll(() => pe?.stop());

describe("the worked example (LIFECYCLE §5)", () => {
  let id: string;
  it("disbursed on 2025-01-15: ACTIVE, re-anchored on the 15th", async () => {
    id = await approvedLoan(pe);
    expect((await loan(pe, id)).schedule[0].dueDate).toBe("2025-02-10");
    await moveTo(pe, "2025-01-15");
    await disburseAndPay(pe, id);
    const l = await loan(pe, id);
    expect(l).toMatchObject({
      status: "ACTIVE",
      businessDate: "2025-01-15",
      scheduleAnchoredOn: "2025-01-15",
      scheduleVersion: 1,
    });
    expect(l.schedule[0]).toMatchObject({ dueDate: "2025-02-15", principal: "23993.19", interest: "3177.08" });
    expect(l.balances.principalOutstanding).toBe("305000.00");
    await checkMoney(pe, id);
  });

  it("1. on time on 2025-02-15: interest 3177.08 and principal 23993.19 of period 1", async () => {
    await moveTo(pe, "2025-02-15");
    const r = await pay(pe, id, { amount: "27170.27" });
    expect(r).toEqual({
      id: expect.any(String),
      outcome: "ok",
      result: {
        appliedOn: "2025-02-15",
        allocation: {
          interest: "3177.08",
          principal: "23993.19",
          penalty: "0.00",
          unapplied: "0.00",
          refunded: "0.00",
        },
      },
    });
    const l = await loan(pe, id);
    expect(l.schedule[0]).toMatchObject({ status: "PAID", paidOn: "2025-02-15", paidInterest: "3177.08" });
    await checkMoney(pe, id);
  });

  it("2. period 2 ten days late: penalty posted day by day to 132.84, paid in 353-FZ order", async () => {
    const moved = await moveTo(pe, "2025-03-25");
    const days = moved.cob.filter((c) => (c.date as string) >= "2025-03-16");
    expect(days.map((c) => c.penaltyPosted)).toEqual([
      "13.28",
      "13.29",
      "13.28",
      "13.29",
      "13.28",
      "13.28",
      "13.29",
      "13.28",
      "13.29",
      "13.28",
    ]);
    expect(moved.cob.find((c) => c.date === "2025-03-16")).toMatchObject({ agreements: 1, overdueMarked: 1 });
    const l = await loan(pe, id);
    expect(l.balances).toEqual({
      principalOutstanding: "281006.81",
      principalOverdue: "24243.12",
      interestOverdue: "2927.15",
      penaltyOutstanding: "132.84",
      unappliedFunds: "0.00",
      totalDue: "27303.11",
    });
    expect(l.delinquency).toEqual({ daysPastDue: 10, bucket: "DPD_1_30", oldestUnpaidDueDate: "2025-03-15" });
    expect(l.schedule[1]).toMatchObject({ status: "OVERDUE", penalty: "132.84", paidPenalty: "0.00" });
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from penalty_accruals where agreement_id = ${id}`.execute(pe.db);
    expect(rows[0]!.n).toBe(10);
    const r = await pay(pe, id, { amount: "27303.11" });
    expect(r.result).toEqual({
      appliedOn: "2025-03-25",
      allocation: {
        interest: "2927.15",
        principal: "24243.12",
        penalty: "132.84",
        unapplied: "0.00",
        refunded: "0.00",
      },
    });
    const after = await loan(pe, id);
    expect(after.schedule[1]).toMatchObject({ status: "PAID", paidOn: "2025-03-25", paidPenalty: "132.84" });
    expect(after.delinquency.bucket).toBe("CURRENT");
    await checkMoney(pe, id);
  });

  it("3. periods 3 and 4 on time: balance 207517.23", async () => {
    await moveTo(pe, "2025-04-15");
    await pay(pe, id, { amount: "27170.27" });
    await moveTo(pe, "2025-05-15");
    await pay(pe, id, { amount: "27170.27" });
    expect((await loan(pe, id)).balances.principalOutstanding).toBe("207517.23");
  });

  it("4. full payoff on 2025-06-02: quote 208772.37, CLOSED, version 2", async () => {
    await moveTo(pe, "2025-06-02");
    const q = await call(pe.url, "GET", `/agreements/${id}/payoff-quote?date=2025-06-02`);
    expect(q.status).toBe(200);
    // The contract's example is this very quote.
    expect(q.body).toEqual({ ...payoffQuoteExample, agreementId: id });
    const r = await pay(pe, id, { amount: "208772.37", purpose: "EARLY_REPAYMENT" });
    expect(r.result.allocation).toEqual({
      interest: "1255.14",
      principal: "207517.23",
      penalty: "0.00",
      unapplied: "0.00",
      refunded: "0.00",
    });
    const l = await loan(pe, id);
    expect(l).toMatchObject({ status: "CLOSED", closedOn: "2025-06-02", scheduleVersion: 2, currentPayment: null });
    expect(l.schedule.slice(5).every((p: { interest: string }) => p.interest === "0.00")).toBe(true);
    const outbox = await pe.db
      .selectFrom("outbox")
      .select(["topic", "payload"])
      .where("aggregate_id", "=", id)
      .execute();
    expect(
      outbox.filter((o) => o.topic === "agreement.status-changed").map((o) => (o.payload as { status: string }).status),
    ).toEqual(["ACTIVE", "CLOSED"]);
    const quote = await call(pe.url, "GET", `/agreements/${id}/payoff-quote`);
    expect(quote.status).toBe(422);
    expect(quote.body.error.code).toBe("QUOTE_NOT_AVAILABLE");
  });

  it("5. the check: paid 317586.29 = principal 305000.00 + interest 12453.45 + penalty 132.84, ledger at zero", async () => {
    const { balance } = await checkMoney(pe, id);
    const { rows } = await sql<{ paid: string }>`
      select sum(amount)::text as paid from payments where agreement_id = ${id}`.execute(pe.db);
    expect(rows[0]!.paid).toBe("317586.29");
    expect(balance("INTEREST_INCOME")).toBe("-12453.45");
    expect(balance("PENALTY_INCOME")).toBe("-132.84");
    expect(balance("FEE_INCOME")).toBe("-5000.00");
    expect(balance("SETTLEMENT")).toBe("17586.29");
    const t = await call(pe.url, "GET", `/agreements/${id}/transactions?limit=100`);
    expect(t.status).toBe(200);
    const types = t.body.items.map((i: { type: string }) => i.type);
    expect(types[0]).toBe("DISBURSEMENT");
    expect(types.filter((x: string) => x === "PENALTY")).toHaveLength(10);
    expect(types.at(-1)).toBe("PAYOFF");
    expect(t.body.items.at(-1)).toMatchObject({
      amount: "208772.37",
      allocation: { interest: "1255.14", principal: "207517.23", penalty: "0.00" },
    });
  });

  it("a payment reaching the closed loan is refunded whole, once, to its payer", async () => {
    const payer = "40817810000000000077";
    const paymentId = "7d1c2f7e-1a0b-4c1d-9e8f-000000000001";
    const first = await pay(pe, id, { amount: "100.00", paymentId, payer });
    expect(first.result.allocation).toMatchObject({ refunded: "100.00", principal: "0.00" });
    const again = await pay(pe, id, { amount: "100.00", paymentId, payer });
    expect(again.result).toEqual(first.result);
    const refunds = await pe.db
      .selectFrom("outbox")
      .select("payload")
      .where("topic", "=", "payout.requested")
      .where("aggregate_id", "=", id)
      .execute();
    const refund = refunds.map((r) => r.payload as Record<string, unknown>).filter((p) => p.kind === "REFUND");
    expect(refund).toEqual([
      {
        payoutId: refundPayoutId(paymentId),
        kind: "REFUND",
        agreementId: id,
        amount: "100.00",
        currency: "RUB",
        destination: { accountNumber: payer },
        sourcePaymentId: paymentId,
      },
    ]);
    const settled = await callInternal(pe.url, "/internal/payout-results", {
      messages: [
        wire("payout.settled", id, {
          payoutId: refundPayoutId(paymentId),
          kind: "REFUND",
          agreementId: id,
          amount: "100.00",
          status: "PAID",
          settledAt: new Date().toISOString(),
        }),
      ],
    });
    expect(settled.body.results[0]).toMatchObject({ outcome: "ok", result: { agreementStatus: "CLOSED" } });
    const l = await loan(pe, id);
    expect(l.refunds).toMatchObject([{ paymentId, amount: "100.00", status: "PAID" }]);
    const { balance } = await checkMoney(pe, id);
    expect(balance("CLIENT_FUNDS")).toBe("0.00");
    expect(balance("SETTLEMENT")).toBe("17586.29");
  });
});

describe("the §5 variant: a partial early repayment reduces the payment, keeps the term", () => {
  it("50000.00 on 2025-04-02 waits; the COB of 04-15 pays installment 3 and rebuilds 4–12 at 24499.69 / 24499.73", async () => {
    // A second agreement on the same clock would start elsewhere: this one gets its own PE.
    const own = await startTestPe({ BUSINESS_CLOCK: "manual", BUSINESS_DATE_START: "2025-01-15" });
    try {
      const id = await activeLoan(own);
      await moveTo(own, "2025-02-15");
      await pay(own, id, { amount: "27170.27" });
      await moveTo(own, "2025-03-15");
      await pay(own, id, { amount: "27170.27" });
      await moveTo(own, "2025-04-02");
      const early = await pay(own, id, { amount: "50000.00", purpose: "EARLY_REPAYMENT" });
      expect(early.result.allocation).toMatchObject({ unapplied: "50000.00", principal: "0.00" });
      expect((await loan(own, id)).balances.unappliedFunds).toBe("50000.00");
      await moveTo(own, "2025-04-15");
      const l = await loan(own, id);
      expect(l.scheduleVersion).toBe(2);
      expect(l.schedule[2]).toMatchObject({ status: "PAID", paidOn: "2025-04-15" });
      expect(l.schedule.slice(3, 11).map((p: { payment: string }) => p.payment)).toEqual(Array(8).fill("24499.69"));
      expect(l.schedule[11]).toMatchObject({ payment: "24499.73", dueDate: "2026-01-15" });
      expect(l.balances).toMatchObject({ principalOutstanding: "209438.31", unappliedFunds: "0.00" });
      expect(l.currentPayment).toBe("24499.69");
      const { rows } = await sql<{ versions: number }>`
        select count(distinct version)::int as versions from schedule_versions where agreement_id = ${id}`.execute(
        own.db,
      );
      expect(rows[0]!.versions).toBe(2);
      const versions = (await call(own.url, "GET", `/agreements/${id}/schedule-versions`)).body.items;
      expect(versions.map((v: { version: number; effectiveOn: string }) => [v.version, v.effectiveOn])).toEqual([
        [1, "2025-01-15"],
        [2, "2025-04-15"],
      ]);
      expect(versions[0].rows[3].payment).toBe("27170.27");
      expect(versions[1].rows[3].payment).toBe("24499.69");
      await checkMoney(own, id);
    } finally {
      await own.stop();
    }
  });
});
