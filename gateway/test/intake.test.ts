import { randomUUID } from "node:crypto";
import { waitFor } from "@loans/shared/test-kit/wait";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { account, getJson, message, order, postBatch, startTestGateway } from "./helpers.ts";

let gw: Awaited<ReturnType<typeof startTestGateway>>;
let url: string;

beforeAll(async () => {
  gw = await startTestGateway();
  url = gw.service.url;
});
afterAll(async () => {
  await gw?.stop();
});

const payout = async (id: string) => {
  const r = await fetch(`${url}/payouts/${id}`);
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
};

const settledOutbox = (agreementId: string) =>
  gw.service.db.selectFrom("outbox").selectAll().where("aggregate_id", "=", agreementId).execute();

describe("POST /internal/payouts", () => {
  it("takes an order PENDING, the bank pays it, payout.settled is written once; a repeat answers PAID", async () => {
    const o = order();
    const [first] = await postBatch(url, "/internal/payouts", [message("payout.requested", o)]);
    expect(first).toMatchObject({ outcome: "ok", result: { status: "PENDING", settledAt: null, failureCode: null } });
    const paid = await waitFor(async () => {
      const p = await payout(o.payoutId);
      return p.body.status === "PAID" ? p.body : null;
    });
    expect(paid).toMatchObject({ kind: "DISBURSEMENT", amount: "300000.00", destination: o.destination });
    const [again] = await postBatch(url, "/internal/payouts", [message("payout.requested", o)]);
    expect(again).toMatchObject({ outcome: "ok", result: { status: "PAID", settledAt: paid.settledAt } });
    const rows = await settledOutbox(o.agreementId);
    expect(rows.map((r) => r.topic)).toEqual(["payout.settled"]);
    expect(rows[0]!.payload).toMatchObject({ payoutId: o.payoutId, status: "PAID", settledAt: paid.settledAt });
    const { rows: t } = await sql<{
      n: string;
    }>`select count(*) as n from bank.transfers where id = ${o.payoutId}::uuid`.execute(gw.service.db);
    expect(Number(t[0]!.n)).toBe(1);
  });

  it("refuses the same id with other data, and a second DISBURSEMENT for one agreement: PAYOUT_CONFLICT", async () => {
    const o = order();
    await postBatch(url, "/internal/payouts", [message("payout.requested", o)]);
    const results = await postBatch(url, "/internal/payouts", [
      message("payout.requested", { ...o, amount: "1.00" }),
      message("payout.requested", { ...o, payoutId: randomUUID() }),
    ]);
    expect(results.map((r) => [r.outcome, r.error?.code])).toEqual([
      ["rejected", "PAYOUT_CONFLICT"],
      ["rejected", "PAYOUT_CONFLICT"],
    ]);
    const body = await getJson(`${url}/payouts?agreementId=${o.agreementId}`);
    expect(body.items).toHaveLength(1);
  });

  it("a refused account: FAILED with its code and message, announced once", async () => {
    const o = order({ destination: { accountNumber: account("9901") } });
    await postBatch(url, "/internal/payouts", [message("payout.requested", o)]);
    const failed = await waitFor(async () => {
      const p = await payout(o.payoutId);
      return p.body.status === "FAILED" ? p.body : null;
    });
    expect(failed).toMatchObject({ failureCode: "account_closed", failureMessage: expect.any(String) });
    expect((await settledOutbox(o.agreementId))[0]!.payload).toMatchObject({
      status: "FAILED",
      failureCode: "account_closed",
    });
  });

  it("a malformed order is refused for its item, nothing written", async () => {
    const o = order({ destination: { accountNumber: "123" } });
    const [r] = await postBatch(url, "/internal/payouts", [message("payout.requested", o)]);
    expect(r).toMatchObject({ outcome: "rejected", error: { code: "VALIDATION_FAILED" } });
    expect((await payout(o.payoutId)).status).toBe(404);
  });
});

describe("GET /payouts", () => {
  // Paging over several payouts of one agreement is in refunds.test.ts, where an agreement has several.
  it("filters by agreement, status and kind; bad input is a 400", async () => {
    const o = order();
    await postBatch(url, "/internal/payouts", [message("payout.requested", o)]);
    await waitFor(async () => (await payout(o.payoutId)).body.status === "PAID");
    const of = (q: string) => getJson(`${url}/payouts?agreementId=${o.agreementId}&${q}`);
    expect((await of("kind=DISBURSEMENT&status=PAID")).items).toHaveLength(1);
    expect((await of("kind=REFUND")).items).toHaveLength(0);
    expect((await of("status=FAILED")).items).toHaveLength(0);
    for (const q of ["status=LOST", "limit=0", "cursor=zzz", "kind=X"])
      expect((await fetch(`${url}/payouts?${q}`)).status).toBe(400);
    expect((await fetch(`${url}/payouts/not-a-uuid`)).status).toBe(400);
    expect((await fetch(`${url}/payouts/${randomUUID()}`)).status).toBe(404);
  });
});

describe("POST /internal/agreement-events", () => {
  it("records ACTIVE then CLOSED, ignores a late ACTIVE, refuses a contradiction", async () => {
    const agreementId = randomUUID();
    const ev = (status: string) =>
      message("agreement.status-changed", { agreementId, status, on: "2025-01-15", at: "2025-01-15T10:00:00.000Z" });
    expect((await postBatch(url, "/internal/agreement-events", [ev("ACTIVE")]))[0]).toMatchObject({
      outcome: "ok",
      result: { status: "ACTIVE" },
    });
    expect((await postBatch(url, "/internal/agreement-events", [ev("CLOSED")]))[0]).toMatchObject({
      result: { status: "CLOSED" },
    });
    expect((await postBatch(url, "/internal/agreement-events", [ev("ACTIVE")]))[0]).toMatchObject({
      result: { status: "CLOSED" },
    });
    expect((await postBatch(url, "/internal/agreement-events", [ev("DISBURSEMENT_FAILED")]))[0]).toMatchObject({
      outcome: "rejected",
      error: { code: "CONTRADICTION" },
    });
  });

  it("is refused without a signature", async () => {
    const r = await fetch(`${url}/internal/agreement-events`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(r.status).toBe(401);
  });
});

describe("the service", () => {
  it("serves health, readiness, metrics and its OpenAPI document", async () => {
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect((await fetch(`${url}/ready`)).status).toBe(200);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain("gateway_payouts{");
    expect(metrics).toContain("gateway_bank_calls_total{");
    expect(metrics).toContain("gateway_payouts_in_transit_oldest_age_seconds");
    const doc = await getJson(`${url}/openapi.json`);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/payouts", "/payouts/{id}", "/internal/payouts", "/internal/agreement-events"]),
    );
  });
});
