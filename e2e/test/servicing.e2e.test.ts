import { randomUUID } from "node:crypto";
import { waitFor } from "@loans/shared/test-kit/wait";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "../kit/client.ts";
import { account, agreement, agreementIn, approvedAgreements, disburse } from "../kit/disbursement.ts";
import type { System } from "../kit/system.ts";
import { startTestSystem, type TestSystem } from "../kit/test-system.ts";

// LIFECYCLE §5 through the public APIs of the three services, on PE's manual clock: the client pays PG,
// the simulated bank collects, PG tells PE, and every figure is read back from PE's API to the cent. The
// variant (a partial early repayment) runs beside it on the same days.
let test: TestSystem;
let system: System;
beforeAll(async () => {
  test = await startTestSystem({
    BUSINESS_CLOCK: "manual",
    BUSINESS_DATE_START: "2025-01-10",
    BANK_LATENCY_MS: "0",
    OUTBOX_BASE_DELAY_MS: "50",
    OUTBOX_MAX_DELAY_MS: "500",
  });
  ({ system } = test);
});
afterAll(async () => {
  await test?.stop();
});

const gateway = () => system.gateway[0]!.url;

async function moveTo(date: string) {
  const r = await api(system.peUrl, "POST", "/admin/business-date", { date });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as { date: string; cob: Array<{ date: string; penaltyPosted: string; overdueMarked: number }> };
}

/** The client pays PG; answers once PE has applied it (its transactions show the payment). */
async function pay(id: string, amount: string, purpose: "REGULAR" | "EARLY_REPAYMENT" = "REGULAR") {
  const r = await api(
    gateway(),
    "POST",
    "/payments",
    { agreementId: id, amount, purpose, payer: { accountNumber: account(7) } },
    { "Idempotency-Key": randomUUID() },
  );
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  expect(r.body.status).toBe("PROCESSING");
  const paymentId = r.body.id as string;
  return waitFor(
    async () => {
      const t = await api(system.peUrl, "GET", `/agreements/${id}/transactions?limit=100`);
      return t.body.items.find((i: { paymentId: string | null; type: string }) => i.paymentId === paymentId) ?? null;
    },
    { timeoutMs: 20_000, everyMs: 50, what: `payment ${paymentId} to be applied in PE` },
  );
}

describe("the worked example, across the three services", () => {
  let id: string;
  let variant: string;

  it("created on 2025-01-10, disbursed on 2025-01-15: dues re-anchored on the 15th", async () => {
    [id, variant] = (await approvedAgreements(system, 2)) as [string, string];
    expect((await agreement(system, id)).schedule[0].dueDate).toBe("2025-02-10");
    await moveTo("2025-01-15");
    for (const [n, a] of [id, variant].entries()) expect((await disburse(system, a, account(n + 1))).status).toBe(202);
    const active = await agreementIn(system, id, ["ACTIVE"]);
    await agreementIn(system, variant, ["ACTIVE"]);
    expect(active).toMatchObject({ scheduleAnchoredOn: "2025-01-15", disbursement: { disbursedOn: "2025-01-15" } });
    expect(active.schedule.map((p: { dueDate: string }) => p.dueDate.slice(8))).toEqual(Array(12).fill("15"));
    expect(active.schedule[11]).toMatchObject({ payment: "27170.30", interest: "280.11" });
  });

  it("1. on time on 2025-02-15", async () => {
    await moveTo("2025-02-15");
    const applied = await pay(id, "27170.27");
    expect(applied).toMatchObject({ on: "2025-02-15", allocation: { interest: "3177.08", principal: "23993.19" } });
    await pay(variant, "27170.27");
    expect((await agreement(system, id)).schedule[0]).toMatchObject({ status: "PAID", paidOn: "2025-02-15" });
  });

  it("2. period 2 ten days late: 13.28, 13.29, … = 132.84, then 27303.11 pays it all", async () => {
    await moveTo("2025-03-15");
    await pay(variant, "27170.27");
    const moved = await moveTo("2025-03-25");
    expect(moved.cob.map((c) => c.penaltyPosted)).toEqual([
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
    const late = await agreement(system, id);
    expect(late.balances).toEqual({
      principalOutstanding: "281006.81",
      principalOverdue: "24243.12",
      interestOverdue: "2927.15",
      penaltyOutstanding: "132.84",
      unappliedFunds: "0.00",
      totalDue: "27303.11",
    });
    expect(late.delinquency).toEqual({ daysPastDue: 10, bucket: "DPD_1_30", oldestUnpaidDueDate: "2025-03-15" });
    const applied = await pay(id, "27303.11");
    expect(applied).toMatchObject({
      on: "2025-03-25",
      allocation: { interest: "2927.15", principal: "24243.12", penalty: "132.84" },
    });
    expect((await agreement(system, id)).schedule[1]).toMatchObject({ status: "PAID", paidPenalty: "132.84" });
  });

  it("variant: 50000.00 early on 04-02 waits; the COB of 04-15 rebuilds the tail at 24499.69 / 24499.73", async () => {
    await moveTo("2025-04-02");
    await pay(variant, "50000.00", "EARLY_REPAYMENT");
    expect((await agreement(system, variant)).balances.unappliedFunds).toBe("50000.00");
    await moveTo("2025-04-15");
    const v = await agreement(system, variant);
    expect(v.scheduleVersion).toBe(2);
    expect(v.schedule.slice(3, 11).map((p: { payment: string }) => p.payment)).toEqual(Array(8).fill("24499.69"));
    expect(v.schedule[11].payment).toBe("24499.73");
    expect(v.balances.principalOutstanding).toBe("209438.31");
  });

  it("3.–4. periods 3 and 4 on time, then the payoff of 2025-06-02: 208772.37, CLOSED everywhere", async () => {
    await pay(id, "27170.27");
    await moveTo("2025-05-15");
    await pay(id, "27170.27");
    await moveTo("2025-06-02");
    const quote = await api(system.peUrl, "GET", `/agreements/${id}/payoff-quote?date=2025-06-02`);
    expect(quote.body).toMatchObject({
      amount: "208772.37",
      components: { principal: "207517.23", interest: "1255.14" },
      accrual: { daysElapsed: 18, daysInPeriod: 31 },
    });
    const payoff = await pay(id, "208772.37", "EARLY_REPAYMENT");
    expect(payoff).toMatchObject({ type: "PAYOFF", allocation: { interest: "1255.14", principal: "207517.23" } });
    const closed = await agreementIn(system, id, ["CLOSED"]);
    expect(closed).toMatchObject({ closedOn: "2025-06-02", scheduleVersion: 2, refunds: [] });
    await waitFor(
      async () => (await api(system.origination[0]!.url, "GET", `/applications/${id}`)).body.status === "CLOSED",
      { timeoutMs: 20_000, everyMs: 50, what: "Origination to see the loan CLOSED" },
    );
  });

  it("5. paid 317586.29 in all; PG takes no more payments for the closed loan", async () => {
    const payments = await api(gateway(), "GET", `/payments?agreementId=${id}&limit=100`);
    const paid = payments.body.items
      .filter((p: { status: string }) => p.status === "SUCCEEDED")
      .map((p: { amount: string }) => p.amount);
    expect(paid).toHaveLength(5);
    const cents = paid.reduce((s: bigint, a: string) => s + BigInt(a.replace(".", "")), 0n);
    expect(cents).toBe(31758629n);
    await waitFor(
      async () => {
        const r = await api(
          gateway(),
          "POST",
          "/payments",
          { agreementId: id, amount: "1.00", payer: { accountNumber: account(7) } },
          { "Idempotency-Key": randomUUID() },
        );
        return r.status === 422 && r.body.error.code === "AGREEMENT_NOT_PAYABLE";
      },
      { timeoutMs: 20_000, everyMs: 100, what: "PG to refuse payments for the closed loan" },
    );
  });
});
