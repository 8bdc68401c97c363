import type { TestDatabase } from "@loans/db/testing";
import { waitFor } from "@loans/shared/test-kit/wait";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "../kit/client.ts";
import {
  account,
  agreement,
  agreementIn,
  approvedAgreements,
  disburse,
  settledWithPayouts,
} from "../kit/disbursement.ts";
import { rows } from "../kit/invariants.ts";
import { settledWithMoney } from "../kit/money.ts";
import type { System } from "../kit/system.ts";
import { startTestSystem, type TestSystem } from "../kit/test-system.ts";

// The three services as processes, a fault proxy on every hop: PE → Origination (toOrigination),
// Origination → PE (toPe), PE → PG (toGateway), PG → PE (fromGateway). LIFECYCLE §3.1's cases each
// injected once, every test ending with the invariants of §3.2 (item 4, the payouts of item 7) by SQL.
let test: TestSystem;
let system: System;
let gatewayDb: TestDatabase;
let accounts = 1;

beforeAll(async () => {
  test = await startTestSystem({
    OUTBOX_BASE_DELAY_MS: "50",
    OUTBOX_MAX_DELAY_MS: "500",
    BANK_LATENCY_MS: "20",
    BANK_SEED: "e2e",
  });
  ({ system } = test);
  gatewayDb = test.gatewayDb!;
});
afterAll(async () => {
  await test?.stop();
});

const transfersOf = async (id: string) =>
  Number(
    (await rows<{ n: string }>(gatewayDb.url, `select count(*) as n from bank.transfers where id = '${id}'`))[0]!.n,
  );

/** Disburses one fresh APPROVED agreement; answers its id and payout id. */
async function disbursed(suffix?: string): Promise<{ id: string; payoutId: string }> {
  const [id] = await approvedAgreements(system, 1);
  const r = await disburse(system, id!, account(accounts++, suffix));
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  return { id: id!, payoutId: r.body.disbursement.id };
}

/** Ends a case: the agreement ACTIVE everywhere, exactly one transfer in the bank, every invariant holds. */
async function activeEverywhere(id: string, payoutId: string) {
  const report = await settledWithPayouts(system);
  expect((await agreement(system, id)).status).toBe("ACTIVE");
  expect((await api(system.origination[0]!.url, "GET", `/applications/${id}`)).body.status).toBe("ACTIVE");
  expect((await api(system.gateway[0]!.url, "GET", `/payouts/${payoutId}`)).body.status).toBe("PAID");
  expect(await transfersOf(payoutId)).toBe(1);
  return report;
}

const resetProxies = () => {
  for (const p of [system.toOrigination, system.toPe, system.toGateway, system.fromGateway]) p.reset();
};

describe("disbursement, end to end", () => {
  it("the happy path: approved → disburse → ACTIVE in PE, PAID in PG, ACTIVE in Origination, dues re-anchored", async () => {
    resetProxies();
    const [id] = await approvedAgreements(system, 1);
    const before = await agreement(system, id!);
    expect(before.scheduleAnchoredOn).toBeNull();
    const r = await disburse(system, id!, account(accounts++));
    expect(r.status).toBe(202);
    expect(r.body.status).toBe("DISBURSING");
    const active = await agreementIn(system, id!, ["ACTIVE"]);
    const payout = (await api(system.gateway[0]!.url, "GET", `/payouts/${r.body.disbursement.id}`)).body;
    expect(payout).toMatchObject({ status: "PAID", amount: "300000.00", kind: "DISBURSEMENT", agreementId: id });
    const disbursedOn = payout.settledAt.slice(0, 10);
    expect(active).toMatchObject({
      scheduleAnchoredOn: disbursedOn,
      disbursement: { status: "PAID", disbursedOn, amount: "300000.00" },
    });
    expect(active.statusHistory.map((h: { status: string }) => h.status)).toEqual([
      "NEW",
      "IN_PROGRESS",
      "APPROVED",
      "DISBURSING",
      "ACTIVE",
    ]);
    const [y, m, d] = disbursedOn.split("-").map(Number);
    const firstDue = new Date(Date.UTC(y!, m!, 1));
    const lastDay = new Date(Date.UTC(y!, m! + 1, 0)).getUTCDate();
    firstDue.setUTCDate(Math.min(d!, lastDay));
    expect(active.schedule[0].dueDate).toBe(firstDue.toISOString().slice(0, 10));
    expect(active.schedule.map((s: { payment: string }) => s.payment)).toEqual(
      before.schedule.map((s: { payment: string }) => s.payment),
    );
    await activeEverywhere(id!, r.body.disbursement.id);
  });

  it("1. payout.requested PE → PG lost: resent with the same payout id", async () => {
    resetProxies();
    system.toGateway.once({ kind: "dropRequest" });
    const { id, payoutId } = await disbursed();
    await activeEverywhere(id, payoutId);
    expect(system.toGateway.counters().droppedRequests).toBe(1);
  });

  it("2. PG's answer to it lost: resent, PG answers the payout's current status", async () => {
    resetProxies();
    system.toGateway.once({ kind: "dropAnswer" });
    const { id, payoutId } = await disbursed();
    await activeEverywhere(id, payoutId);
    const c = system.toGateway.counters();
    expect(c.droppedAnswers).toBe(1);
    expect(c.forwarded).toBeGreaterThanOrEqual(2);
  });

  it("2'. every answer to payout.requested lost until PG has paid: PE learns PAID from the answer or payout.settled", async () => {
    resetProxies();
    system.toGateway.set({ kind: "dropAnswer" });
    system.fromGateway.set({ kind: "dropRequest" });
    const { id, payoutId } = await disbursed();
    await waitFor(
      async () => (await api(system.gateway[0]!.url, "GET", `/payouts/${payoutId}`)).body.status === "PAID",
      { what: "the payout to be paid" },
    );
    // PG has paid; both ways PE could learn it are failing. Let the answer through first: PE applies PAID
    // from it, and payout.settled, when it arrives, finds the payout applied.
    system.toGateway.set({ kind: "pass" });
    await agreementIn(system, id, ["ACTIVE"]);
    system.fromGateway.set({ kind: "pass" });
    await activeEverywhere(id, payoutId);
  });

  it("3. PG → bank submit lost (…9904: three timeouts without a trace): resubmitted with the same id, one transfer", async () => {
    resetProxies();
    const { id, payoutId } = await disbursed("9904");
    await activeEverywhere(id, payoutId);
    const calls = await rows<{ n: number }>(
      gatewayDb.url,
      `select n from bank.calls where transfer_id = '${payoutId}' and op = 'submit'`,
    );
    expect(calls[0]!.n).toBeGreaterThanOrEqual(4);
  });

  it("4. PG killed after the bank paid, before recording: the worker polls on restart and records PAID", async () => {
    resetProxies();
    const gateway = system.gateway[0]!;
    await gateway.kill("SIGTERM");
    gateway.setEnv({ GATEWAY_CRASH_AT: "after-bank-settled" });
    await gateway.start();
    const { id, payoutId } = await disbursed();
    await gateway.exited();
    expect(gateway.exits.at(-1)?.signal).toBe("SIGKILL");
    const [payout] = await rows<{ status: string }>(
      gatewayDb.url,
      `select status from payouts where id = '${payoutId}'`,
    );
    const [transfer] = await rows<{ status: string }>(
      gatewayDb.url,
      `select status from bank.transfers where id = '${payoutId}'`,
    );
    // The bank has paid (its settlement instant has passed); PG has not recorded it.
    expect(payout!.status).not.toBe("PAID");
    expect(transfer).toBeDefined();
    gateway.setEnv({ GATEWAY_CRASH_AT: undefined });
    await gateway.start();
    await activeEverywhere(id, payoutId);
  });

  it("5. payout.settled PG → PE lost: PG's outbox resends", async () => {
    resetProxies();
    system.fromGateway.once({ kind: "dropRequest" });
    // PG's answer to payout.requested says PENDING: PE learns PAID only from payout.settled here.
    const { id, payoutId } = await disbursed();
    await activeEverywhere(id, payoutId);
    expect(system.fromGateway.counters().droppedRequests).toBe(1);
  });

  it("6. PE's answer to payout.settled lost: resent, PE answers ok with the same status, applies nothing twice", async () => {
    resetProxies();
    system.fromGateway.once({ kind: "dropAnswer" });
    const { id, payoutId } = await disbursed();
    const report = await activeEverywhere(id, payoutId);
    expect(system.fromGateway.counters().droppedAnswers).toBe(1);
    expect(report.duplicates).toBe(0);
    const history = await rows<{ status: string }>(
      test.peDb.url,
      `select status from agreement_status_history where agreement_id = '${id}'`,
    );
    expect(history.filter((h) => h.status === "ACTIVE")).toHaveLength(1);
  });

  it("12. agreement.status-changed PE → Origination lost, then its answer lost: forward only, applied once", async () => {
    resetProxies();
    // Origination sees only status changes once the agreement is approved and disbursing.
    system.toOrigination.set((req) =>
      req.path === "/internal/agreement-events" ? { kind: "dropRequest" } : { kind: "pass" },
    );
    const { id, payoutId } = await disbursed();
    await agreementIn(system, id, ["ACTIVE"]);
    await waitFor(() => system.toOrigination.counters().droppedRequests >= 1, { what: "a lost status change" });
    let answersLost = 0;
    system.toOrigination.set((req) =>
      req.path === "/internal/agreement-events" && answersLost++ === 0 ? { kind: "dropAnswer" } : { kind: "pass" },
    );
    await activeEverywhere(id, payoutId);
    expect(answersLost).toBeGreaterThanOrEqual(2);
    system.toOrigination.set({ kind: "pass" });
  });

  it("a refused account: DISBURSEMENT_FAILED in PE and Origination, FAILED in PG, one transfer", async () => {
    resetProxies();
    const { id, payoutId } = await disbursed("9901");
    const failed = await agreementIn(system, id, ["DISBURSEMENT_FAILED"]);
    expect(failed.disbursement).toMatchObject({ status: "FAILED", failureCode: "account_closed" });
    await settledWithPayouts(system);
    expect((await api(system.origination[0]!.url, "GET", `/applications/${id}`)).body.status).toBe(
      "DISBURSEMENT_FAILED",
    );
    expect(await transfersOf(payoutId)).toBe(1);
  });

  it("15. withdraw races disburse: the row lock decides, the loser gets 409", async () => {
    resetProxies();
    const ids = await approvedAgreements(system, 6);
    const outcomes = await Promise.all(
      ids.map(async (id) => {
        const [d, w] = await Promise.all([
          disburse(system, id, account(accounts++)),
          api(system.peUrl, "POST", `/agreements/${id}/withdraw`),
        ]);
        expect([d.status, w.status].sort()).toEqual(d.status === 202 ? [202, 409] : [200, 409]);
        return d.status === 202 ? "DISBURSED" : "WITHDRAWN";
      }),
    );
    const report = await settledWithPayouts(system);
    for (const [i, id] of ids.entries()) {
      const a = await agreement(system, id);
      expect(a.status).toBe(outcomes[i] === "DISBURSED" ? "ACTIVE" : "WITHDRAWN");
    }
    expect(report.violations).toEqual([]);
  });

  it("bad input: unknown agreement, wrong status, malformed account, another account on a repeat → 4xx, nothing written", async () => {
    resetProxies();
    const { id } = await disbursed();
    const withdrawn = (await approvedAgreements(system, 1))[0]!;
    expect((await api(system.peUrl, "POST", `/agreements/${withdrawn}/withdraw`)).status).toBe(200);
    await agreementIn(system, id, ["ACTIVE"]);
    await settledWithPayouts(system);
    const written = async () => ({
      pe: await rows(
        test.peDb.url,
        "select (select count(*) from outbox) as o, (select count(*) from agreement_status_history) as h, (select max(updated_at) from agreements) as u",
      ),
      gateway: await rows(
        gatewayDb.url,
        "select (select count(*) from payouts) as p, (select count(*) from bank.transfers) as t",
      ),
    });
    const before = await written();
    const cases: Array<[string, unknown, number, string]> = [
      ["00000000-0000-4000-8000-000000000000", { destination: { accountNumber: account(1) } }, 404, "NOT_FOUND"],
      [withdrawn, { destination: { accountNumber: account(1) } }, 409, "INVALID_TRANSITION"],
      [id, { destination: { accountNumber: "12345" } }, 400, "VALIDATION_FAILED"],
      [id, { destination: { accountNumber: "4081781000000000000A" } }, 400, "VALIDATION_FAILED"],
      [id, {}, 400, "VALIDATION_FAILED"],
      [id, { destination: { accountNumber: account(999_999) } }, 409, "INVALID_TRANSITION"],
    ];
    for (const [target, body, status, code] of cases) {
      const r = await api(system.peUrl, "POST", `/agreements/${target}/disburse`, body);
      expect([r.status, r.body?.error?.code], JSON.stringify(body)).toEqual([status, code]);
    }
    expect(await written()).toEqual(before);
  });

  it("after every case, the money holds: each disbursement in the ledger as the schedule's principal", async () => {
    resetProxies();
    const report = await settledWithMoney(system);
    expect(report.violations).toEqual([]);
    expect(report.journals).toBeGreaterThan(0);
    expect(report.totals).toMatchObject({ in: "0.00", allocated: "0.00", unapplied: "0.00", refunded: "0.00" });
  });
});
