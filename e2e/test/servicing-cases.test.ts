import { Dec } from "@loans/shared/money";
import { type FaultProxy, startFaultProxy } from "@loans/shared/test-kit/fault-proxy";
import { waitFor } from "@loans/shared/test-kit/wait";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "../kit/client.ts";
import { account, agreement, agreementIn, approvedAgreements, disburse } from "../kit/disbursement.ts";
import { rows } from "../kit/invariants.ts";
import { settledWithMoney } from "../kit/money.ts";
import {
  activeLoans,
  addDays,
  applied,
  businessDate,
  expectStoredAsShown,
  gatewayPayment,
  moveTo,
  pay,
  payVia,
  pePayments,
  succeeded,
} from "../kit/servicing.ts";
import type { System } from "../kit/system.ts";
import { startTestSystem, type TestSystem } from "../kit/test-system.ts";

// LIFECYCLE §3.1 cases 7–14 and the value-date rule of §7, each injected once on a real system (three
// services as processes, a fault proxy on every hop), each ending with §3.2's money invariants by SQL
// once every outbox is empty. One system for the file: the business date only moves forward, so each test
// works from the date it finds, on loans it disburses itself (CL1.0, 300 000.00 + 5 000.00, 12 months,
// 12.5 %: 27170.27 a month, the first period 3177.08 interest + 23993.19 principal).
let test: TestSystem;
let system: System;
/** A proxy between the client and PG (the system has none there), to lose a request or its answer. */
let client: FaultProxy;

const INSTALMENT = "27170.27";

beforeAll(async () => {
  test = await startTestSystem({
    BUSINESS_CLOCK: "manual",
    BUSINESS_DATE_START: "2025-01-15",
    BANK_LATENCY_MS: "0",
    OUTBOX_BASE_DELAY_MS: "50",
    OUTBOX_MAX_DELAY_MS: "500",
    OUTBOX_REQUEST_TIMEOUT_MS: "2000",
    BANK_SEED: "servicing-cases",
  });
  ({ system } = test);
  client = await startFaultProxy({ target: system.gateway[0]!.url });
});
afterAll(async () => {
  await client?.close();
  await test?.stop();
});

const resetProxies = () => {
  for (const p of [...system.hops.values(), client]) {
    p.reset();
    p.set({ kind: "pass" });
  }
};

/** Ends a case: the system at rest and every money invariant holding. */
async function moneyHolds() {
  const report = await settledWithMoney(system);
  expect(report.violations).toEqual([]);
  expect(report.totals.in).toBe(report.totals.collected);
  return report;
}

const paymentsInGateway = async (id: string) =>
  (await api(system.gateway[0]!.url, "GET", `/payments?agreementId=${id}&limit=100`)).body.items as Array<{
    id: string;
    status: string;
  }>;

/** A policy doing `actions[i]` to the i-th request that carries `topic` for `agreementId`; passes all else. */
function firstOf(topic: string, agreementId: string, actions: Array<"dropRequest" | "dropAnswer">) {
  let seen = 0;
  const policy = (req: { body: Buffer }) => {
    const body = req.body.toString();
    if (!body.includes(`"${topic}"`) || !body.includes(agreementId)) return { kind: "pass" as const };
    const kind = actions[seen++];
    return kind ? { kind } : { kind: "pass" as const };
  };
  // How many requests carried the message: its own count of attempts does not tell, since a probe to a
  // destination marked failing may carry it before its retry is due without counting one (claim.ts).
  return Object.assign(policy, { seen: () => seen });
}

/**
 * The value-date rule (LIFECYCLE §7) shown by twins: two loans disbursed together, each paid the same
 * amount on the business date `payOn`; the twin's payment reaches PE at once, the late one's only once the
 * business date has moved on to `learnOn` (PG → PE failing meanwhile). Ends with the system at rest and
 * the two loans' figures, as shown and as stored, equal; answers both, the late payment's row and the
 * late loan as PE showed it before it heard of the payment.
 */
async function twinsPaid(p: {
  payOn: (due: string, today: string) => string;
  amount: (twin: string) => Promise<string> | string;
  purpose?: "REGULAR" | "EARLY_REPAYMENT";
  learnOn: (due: string, payOn: string) => string;
}) {
  resetProxies();
  const [lateId, twinId] = await activeLoans(system, 2);
  const due = (await agreement(system, lateId!)).schedule[0].dueDate as string;
  const payOn = p.payOn(due, await businessDate(system));
  await moveTo(system, payOn);
  const amount = await p.amount(twinId!);
  const purpose = p.purpose ?? "REGULAR";
  const atOnce = await pay(system, { agreementId: twinId!, amount, purpose, key: `twin-${twinId}` });
  await applied(system, atOnce);
  system.fromGateway.set({ kind: "dropRequest" });
  const learnedLate = await pay(system, { agreementId: lateId!, amount, purpose, key: `late-${lateId}` });
  await succeeded(system, learnedLate);
  await moveTo(system, p.learnOn(due, payOn));
  const unaware = await agreement(system, lateId!);
  system.fromGateway.set({ kind: "pass" });
  const row = await applied(system, learnedLate);
  expect([row.value_date, row.answer?.appliedOn]).toEqual([payOn, payOn]);
  await moneyHolds();
  const late = await expectStoredAsShown(system, lateId!);
  const twin = await expectStoredAsShown(system, twinId!);
  const figures = (x: typeof late) => ({
    status: x.view.status,
    closedOn: x.view.closedOn,
    scheduleVersion: x.view.scheduleVersion,
    currentPayment: x.view.currentPayment,
    balances: x.view.balances,
    delinquency: x.view.delinquency,
    schedule: x.view.schedule,
    refunds: x.view.refunds,
    stored: x.stored.schedule,
    ledger: x.stored.ledger,
  });
  expect(figures(late)).toEqual(figures(twin));
  const [twinPayment] = await pePayments(system, `id = '${atOnce}'`);
  return { late, twin: { ...twin, payment: twinPayment! }, row, unaware, payOn };
}

describe("servicing, end to end", () => {
  it("7. the client's POST /payments lost: the retry with the same key makes one payment, in PG and in PE", async () => {
    resetProxies();
    const [id] = await activeLoans(system, 1);
    const p = { agreementId: id!, amount: INSTALMENT, key: `case-7-${id}`, via: client.url };
    client.once({ kind: "dropRequest" });
    await expect(payVia(system, p)).rejects.toThrow();
    expect(await paymentsInGateway(id!)).toEqual([]);
    const paymentId = await pay(system, p);
    await succeeded(system, paymentId);
    await applied(system, paymentId);
    await moneyHolds();
    expect((await paymentsInGateway(id!)).map((x) => x.id)).toEqual([paymentId]);
    expect((await pePayments(system, `agreement_id = '${id}'`)).map((x) => x.id)).toEqual([paymentId]);
    expect(client.counters().droppedRequests).toBe(1);
  });

  it("8. PG's answer to the client lost: the retry answers 202 with the first body, Idempotent-Replayed", async () => {
    resetProxies();
    const [id] = await activeLoans(system, 1);
    const p = { agreementId: id!, amount: INSTALMENT, key: `case-8-${id}`, via: client.url };
    client.once({ kind: "dropAnswer" });
    await expect(payVia(system, p)).rejects.toThrow();
    // PG committed the payment before its answer was lost; the bank has collected it meanwhile.
    const [first] = await paymentsInGateway(id!);
    const now = await succeeded(system, first!.id);
    const again = await payVia(system, p);
    expect(again.status).toBe(202);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    // The first answer, as it was: PROCESSING (§8.13); GET shows the payment now.
    expect(again.body).toEqual({ ...now, status: "PROCESSING", succeededAt: null });
    const third = await payVia(system, p);
    expect([third.status, third.body]).toEqual([202, again.body]);
    await applied(system, first!.id);
    await moneyHolds();
    expect(await paymentsInGateway(id!)).toHaveLength(1);
    expect(await pePayments(system, `agreement_id = '${id}'`)).toHaveLength(1);
  });

  it("7'. two requests with one key at once make one payment; a payment the bank refuses never reaches PE", async () => {
    resetProxies();
    const [id] = await activeLoans(system, 1);
    const p = { agreementId: id!, amount: INSTALMENT, key: `case-7-twice-${id}` };
    const answers = await Promise.all([payVia(system, p), payVia(system, p)]);
    // The second waits for the first (a replay) or is told the key is in use; never a second payment.
    for (const a of answers)
      expect(a.status === 202 || a.body?.error?.code === "IDEMPOTENCY_KEY_IN_USE", JSON.stringify(a.body)).toBe(true);
    const paid = [...new Set(answers.filter((a) => a.status === 202).map((a) => a.body.id as string))];
    expect(paid).toHaveLength(1);
    const refused = await pay(system, { ...p, key: `case-7-no-funds-${id}`, payer: account(1, "9903") });
    await waitFor(async () => (await gatewayPayment(system, refused)).status === "FAILED", {
      what: "the bank to refuse the payment",
    });
    const reused = await payVia(system, { ...p, amount: "1.00" });
    expect([reused.status, reused.body.error.code]).toEqual([422, "IDEMPOTENCY_KEY_REUSED"]);
    await applied(system, paid[0]!);
    await moneyHolds();
    expect((await gatewayPayment(system, refused)).failureCode).toBe("insufficient_funds");
    expect((await pePayments(system, `agreement_id = '${id}'`)).map((x) => x.id)).toEqual(paid);
  });

  it("9. payment.succeeded PG → PE lost: resent, applied once", async () => {
    resetProxies();
    const [id] = await activeLoans(system, 1);
    system.fromGateway.set(firstOf("payment.succeeded", id!, ["dropRequest"]));
    const paymentId = await pay(system, { agreementId: id!, amount: INSTALMENT, key: `case-9-${id}` });
    await applied(system, paymentId);
    await moneyHolds();
    expect(system.fromGateway.counters().droppedRequests).toBe(1);
    expect(await pePayments(system, `agreement_id = '${id}'`)).toHaveLength(1);
  });

  it("10. PE's answer to payment.succeeded lost: resent, PE answers the stored allocation and writes nothing", async () => {
    resetProxies();
    const [id] = await activeLoans(system, 1);
    const policy = firstOf("payment.succeeded", id!, ["dropAnswer"]);
    system.fromGateway.set(policy);
    const paymentId = await pay(system, { agreementId: id!, amount: INSTALMENT, key: `case-10-${id}` });
    const row = await applied(system, paymentId);
    await moneyHolds();
    expect(system.fromGateway.counters().droppedAnswers).toBe(1);
    expect(policy.seen()).toBeGreaterThanOrEqual(2);
    const payments = await pePayments(system, `agreement_id = '${id}'`);
    expect(payments).toHaveLength(1);
    // The answer was computed once, before the lost reply, and the resend got it unchanged.
    expect(payments[0]!.answer).toEqual(row.answer);
    expect(payments[0]!.answer).toMatchObject({
      appliedOn: await businessDate(system),
      allocation: { interest: "0.00", principal: "0.00", penalty: "0.00", unapplied: INSTALMENT, refunded: "0.00" },
    });
    const [dupes] = await rows<{ n: string }>(
      system.databases.pe,
      `select count(*) - count(distinct (on_date, period, component)) as n from allocations where payment_id = '${paymentId}'`,
    );
    expect(Number(dupes!.n)).toBe(0);
  });

  it("11. a payment PG collected before PE knows PAID: PE applies PAID first (one aggregate, one order), then the payment, once", async () => {
    resetProxies();
    // Emulated: PE answers `retry` NOT_ACTIVE_YET only when payout.settled went dead, which the outbox does
    // not do in a test's time. What makes that rare is checked instead: PE learns PAID late (both ways it
    // could learn it fail), PG collects a payment meanwhile, and once PG → PE heals, payout.settled and
    // payment.succeeded, of one aggregate, reach PE in that order; the payment is applied once.
    system.toGateway.set((req) => (req.path === "/internal/payouts" ? { kind: "dropAnswer" } : { kind: "pass" }));
    system.fromGateway.set({ kind: "dropRequest" });
    const [id] = await approvedAgreements(system, 1);
    const d = await disburse(system, id!, "40817810000000011011");
    expect(d.status).toBe(202);
    const payoutId = d.body.disbursement.id as string;
    await waitFor(
      async () => (await api(system.gateway[0]!.url, "GET", `/payouts/${payoutId}`)).body.status === "PAID",
      { what: "PG to pay the disbursement" },
    );
    const paymentId = await pay(system, { agreementId: id!, amount: INSTALMENT, key: `case-11-${id}` });
    await succeeded(system, paymentId);
    expect((await agreement(system, id!)).status).toBe("DISBURSING");
    system.fromGateway.set({ kind: "pass" });
    const row = await applied(system, paymentId);
    system.toGateway.set({ kind: "pass" });
    await moneyHolds();
    const a = await agreement(system, id!);
    expect(a.status).toBe("ACTIVE");
    expect(row.value_date >= a.disbursement.disbursedOn).toBe(true);
    const forwarded = system.fromGateway
      .history()
      .filter((e) => e.action === "pass" && e.body.includes(id!))
      .map((e) => e.body);
    const first = (topic: string) => {
      const i = forwarded.findIndex((b) => b.includes(`"${topic}"`));
      return [i, i < 0 ? -1 : forwarded[i]!.indexOf(`"${topic}"`)] as const;
    };
    const settled = first("payout.settled");
    const payment = first("payment.succeeded");
    expect(settled[0]).toBeGreaterThanOrEqual(0);
    expect(payment[0] > settled[0] || (payment[0] === settled[0] && payment[1] > settled[1])).toBe(true);
    expect(await pePayments(system, `agreement_id = '${id}'`)).toHaveLength(1);
  });

  it("12. agreement.status-changed CLOSED and the refunds' payout.requested lost both ways: each refund paid once, then PG refuses payments", async () => {
    resetProxies();
    const [id] = await activeLoans(system, 1);
    const quote = (await api(system.peUrl, "GET", `/agreements/${id}/payoff-quote`)).body;
    // PG does not hear of CLOSED until a second payment, which it therefore takes, has reached the closed loan.
    system.toGateway.set((req) =>
      req.path === "/internal/agreement-events" && req.body.toString().includes(id!)
        ? { kind: "dropRequest" }
        : { kind: "pass" },
    );
    const excess = "100.00";
    await pay(system, {
      agreementId: id!,
      amount: new Dec(quote.amount).plus(excess).toFixed(2),
      purpose: "EARLY_REPAYMENT",
      key: `case-12-payoff-${id}`,
    });
    await agreementIn(system, id!, ["CLOSED"]);
    const late = await pay(system, { agreementId: id!, amount: "500.00", key: `case-12-late-${id}` });
    expect((await applied(system, late)).refund_whole).toBe(true);
    expect(system.toGateway.counters().droppedRequests).toBeGreaterThanOrEqual(1);
    // Then the status change's answer is lost once, and each refund order is lost once each way.
    let statusSent = 0;
    const refundSent = new Map<string, number>();
    system.toGateway.set((req) => {
      const body = req.body.toString();
      if (!body.includes(id!)) return { kind: "pass" };
      if (req.path === "/internal/agreement-events")
        return statusSent++ === 0 ? { kind: "dropAnswer" } : { kind: "pass" };
      if (req.path !== "/internal/payouts" || !body.includes('"REFUND"')) return { kind: "pass" };
      const payoutId = JSON.parse(body).messages[0].payload.payoutId as string;
      const n = refundSent.get(payoutId) ?? 0;
      refundSent.set(payoutId, n + 1);
      return n === 0 ? { kind: "dropRequest" } : n === 1 ? { kind: "dropAnswer" } : { kind: "pass" };
    });
    await moneyHolds();
    expect(statusSent).toBeGreaterThanOrEqual(2);
    expect([...refundSent.values()].every((n) => n >= 3)).toBe(true);
    const closed = await agreement(system, id!);
    expect(closed.status).toBe("CLOSED");
    const refunds = closed.refunds.map((r: { amount: string; status: string }) => [r.amount, r.status]).sort();
    expect(refunds).toEqual([
      [excess, "PAID"],
      ["500.00", "PAID"],
    ]);
    for (const r of closed.refunds as Array<{ payoutId: string; amount: string }>) {
      const payout = (await api(system.gateway[0]!.url, "GET", `/payouts/${r.payoutId}`)).body;
      expect(payout).toMatchObject({ kind: "REFUND", status: "PAID", amount: r.amount, agreementId: id });
      const [transfers] = await rows<{ n: string }>(
        system.databases.gateway,
        `select count(*) as n from bank.transfers where id = '${r.payoutId}'`,
      );
      expect(Number(transfers!.n)).toBe(1);
    }
    const refused = await payVia(system, { agreementId: id!, amount: "10.00", key: `case-12-refused-${id}` });
    expect([refused.status, refused.body.error.code]).toEqual([422, "AGREEMENT_NOT_PAYABLE"]);
  });

  it("the value date: a payment PE learns of days late ends with its twin's figures, the penalty after it reversed", async () => {
    const { late, twin, row, unaware, payOn } = await twinsPaid({
      payOn: (due) => addDays(due, 3),
      // Period 1's interest, principal and three days' penalty: the period is paid on its value date.
      amount: async (twin) => {
        const shown = await agreement(system, twin);
        expect(shown.schedule[0]).toMatchObject({ status: "OVERDUE", penalty: "39.44" });
        return shown.balances.totalDue;
      },
      learnOn: (_, payOn) => addDays(payOn, 4),
    });
    // Meanwhile the daily job went on charging penalty on period 1's principal.
    expect(unaware.schedule[0].status).toBe("OVERDUE");
    expect(new Dec(unaware.schedule[0].penalty).gt("39.44")).toBe(true);
    expect(late.view.schedule[0]).toMatchObject({
      status: "PAID",
      paidOn: payOn,
      penalty: "39.44",
      paidPenalty: "39.44",
    });
    expect(row.answer).toEqual(twin.payment.answer);
    const reversals = async (id: string) =>
      rows<{ credit: string }>(
        system.databases.pe,
        `select credit::text from ledger_entries
         where agreement_id = '${id}' and type = 'PENALTY_REVERSAL' and account = 'PENALTY_RECEIVABLE'`,
      );
    const reversed = (await reversals(late.view.id)).reduce((s, r) => s.plus(r.credit), new Dec(0));
    // The four days the job charged after the value date, taken back exactly.
    expect(reversed.toFixed(2)).toBe(new Dec(unaware.schedule[0].penalty).minus("39.44").toFixed(2));
    expect(await reversals(twin.view.id)).toEqual([]);
  });

  it("the value date of a payoff: learned after the due date has passed, the loan closes on its value date, as its twin", async () => {
    const { late, unaware, payOn } = await twinsPaid({
      payOn: (_, today) => addDays(today, 5),
      amount: async (twin) => (await api(system.peUrl, "GET", `/agreements/${twin}/payoff-quote`)).body.amount,
      purpose: "EARLY_REPAYMENT",
      learnOn: (due) => addDays(due, 3),
    });
    expect([unaware.status, unaware.schedule[0].status]).toEqual(["ACTIVE", "OVERDUE"]);
    expect(late.view).toMatchObject({ status: "CLOSED", closedOn: payOn, refunds: [] });
  });

  it("the value date of a partial early repayment: learned after the due date it waited for, the schedule is rebuilt as its twin's", async () => {
    const { late, unaware } = await twinsPaid({
      payOn: (_, today) => addDays(today, 5),
      amount: () => "50000.00",
      purpose: "EARLY_REPAYMENT",
      learnOn: (due) => addDays(due, 3),
    });
    expect([unaware.scheduleVersion, unaware.schedule[0].status]).toEqual([1, "OVERDUE"]);
    // §5's variant: installment 1 from the funds on its due date, the rest off the principal, term kept.
    expect(late.view).toMatchObject({ status: "ACTIVE", scheduleVersion: 2 });
    expect(late.view.schedule[0].status).toBe("PAID");
    expect(new Dec(late.view.currentPayment).lt(INSTALMENT)).toBe(true);
  });

  it("14. payments race the daily job and each other: each applied once, the figures exact", async () => {
    resetProxies();
    const ids = await activeLoans(system, 4);
    const due = (await agreement(system, ids[0]!)).schedule[0].dueDate as string;
    await moveTo(system, addDays(due, -1));
    const racing = [
      ...ids.map((id) => ({ agreementId: id, amount: INSTALMENT, key: `case-14-${id}` })),
      // Two payments of one loan at once, and one more while the job crosses its due date.
      { agreementId: ids[3]!, amount: "15000.00", key: `case-14-second-${ids[3]}` },
      { agreementId: ids[3]!, amount: "1000.00", key: `case-14-third-${ids[3]}` },
    ];
    const [, ...paymentIds] = await Promise.all([
      moveTo(system, addDays(due, 3)),
      ...racing.map((p) => pay(system, p)),
    ]);
    for (const p of paymentIds) await applied(system, p as string);
    await moneyHolds();
    const inPe = await pePayments(system, `agreement_id in (${ids.map((id) => `'${id}'`).join(", ")})`);
    expect(inPe.map((p) => p.id).sort()).toEqual([...(paymentIds as string[])].sort());
    for (const p of inPe) {
      const a = p.answer!.allocation;
      const total = [a.interest, a.principal, a.penalty, a.unapplied, a.refunded].reduce(
        (s, x) => s.plus(x!),
        new Dec(0),
      );
      expect(total.toFixed(2), `payment ${p.id}'s answer`).toBe(p.amount);
    }
    for (const id of ids) await expectStoredAsShown(system, id);
  });

  it("13. the daily job killed half-way: the restart catches up, each penalty day posted once, figures as computed", async () => {
    resetProxies();
    const ids = await activeLoans(system, 20);
    const start = await businessDate(system);
    const due = (await agreement(system, ids[0]!)).schedule[0].dueDate as string;
    const target = addDays(due, 10);
    const third = addDays(start, Math.floor((Date.parse(target) - Date.parse(start)) / 86_400_000 / 3));
    const move = api(system.peUrl, "POST", "/admin/business-date", { date: target }).then(
      (r) => r.status,
      () => "lost",
    );
    const progress = () =>
      rows<{ behind: string; ahead: string }>(
        system.databases.pe,
        `select count(*) filter (where last_cob_date < '${target}') as behind,
                count(*) filter (where last_cob_date >= '${third}') as ahead
         from agreements where status = 'ACTIVE'`,
      );
    await waitFor(async () => Number((await progress())[0]!.ahead) > 0, { everyMs: 5, what: "the job to get going" });
    const pe = system.pe[0]!;
    await pe.kill("SIGKILL");
    expect(await move).toBe("lost");
    expect(Number((await progress())[0]!.behind)).toBeGreaterThan(0);
    // While PE is down a payment is collected; after the restart, its touch races the catch-up at start.
    const touched = ids.at(-1)!;
    const touch = await pay(system, { agreementId: touched, amount: INSTALMENT, key: `case-13-${touched}` });
    await succeeded(system, touch);
    await pe.start();
    expect((await applied(system, touch)).value_date).toBe(target);
    await waitFor(async () => Number((await progress())[0]!.behind) === 0, {
      timeoutMs: 60_000,
      what: "the catch-up at start",
    });
    expect(await businessDate(system)).toBe(target);
    await moneyHolds();
    // Each agreement's penalty days in the ledger are the accruals, once each, whatever was replayed.
    const [twice] = await rows<{ n: string }>(
      system.databases.pe,
      `select count(*) as n from (
         select agreement_id, on_date, sum(amount) as amount from penalty_accruals group by 1, 2) p
       full join (
         select agreement_id, substr(fact, 9)::date as on_date, sum(debit - credit) as amount from ledger_entries
         where account = 'PENALTY_RECEIVABLE' and fact like 'penalty:%' group by 1, 2) l using (agreement_id, on_date)
       where coalesce(p.amount, 0) <> coalesce(l.amount, 0)`,
    );
    expect(Number(twice!.n)).toBe(0);
    const [unique] = await rows<{ n: string }>(
      system.databases.pe,
      "select count(*) - count(distinct (agreement_id, period, on_date)) as n from penalty_accruals",
    );
    expect(Number(unique!.n)).toBe(0);
    const first = await expectStoredAsShown(system, ids[0]!);
    // Ten late days on period 1's principal: round(23993.19 · 20 · 10 / 36500) = 131.47.
    expect(first.view.schedule[0]).toMatchObject({ status: "OVERDUE", penalty: "131.47", paidPenalty: "0.00" });
    await expectStoredAsShown(system, touched);
    for (const id of ids.slice(1, -1)) {
      const other = await expectStoredAsShown(system, id);
      expect(other.stored.schedule).toEqual(first.stored.schedule);
      expect(other.stored.ledger).toEqual(first.stored.ledger);
      expect(other.view.balances).toEqual(first.view.balances);
    }
  }, 120_000);
});
