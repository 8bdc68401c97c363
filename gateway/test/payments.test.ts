import { randomUUID } from "node:crypto";
import { waitFor } from "@loans/shared/test-kit/wait";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  account,
  disbursed,
  finalPayment,
  getJson,
  pay,
  paymentBody,
  postBatch,
  startTestGateway,
  statusChanged,
} from "./helpers.ts";
import { startPeReceiver } from "./pe-receiver.ts";

let gw: Awaited<ReturnType<typeof startTestGateway>>;
let pe: Awaited<ReturnType<typeof startPeReceiver>>;
let url: string;

beforeAll(async () => {
  pe = await startPeReceiver();
  gw = await startTestGateway({ PE_URL: pe.url });
  url = gw.service.url;
});
afterAll(async () => {
  await gw?.stop();
  await pe?.close();
});

const count = async (query: ReturnType<typeof sql<{ n: string }>>) =>
  Number((await query.execute(gw.service.db)).rows[0]!.n);
const paymentsOf = (agreementId: string) =>
  count(sql`select count(*) as n from payments where agreement_id = ${agreementId}::uuid`);
const keysNamed = (key: string) => count(sql`select count(*) as n from idempotency_keys where key = ${key}`);
const transfersOf = (id: string) => count(sql`select count(*) as n from bank.transfers where id = ${id}::uuid`);

describe("POST /payments", () => {
  it("PROCESSING, then the bank collects it: SUCCEEDED, and payment.succeeded reaches PE once, after PAID", async () => {
    const { agreementId, payoutId } = await disbursed(url);
    const body = paymentBody(agreementId, { amount: "27170.27", purpose: "EARLY_REPAYMENT" });
    const r = await pay(url, body);
    expect(r.status).toBe(202);
    expect(r.headers.get("location")).toBe(`/payments/${r.body.id}`);
    expect(r.body).toEqual({
      id: expect.any(String),
      agreementId,
      amount: "27170.27",
      purpose: "EARLY_REPAYMENT",
      status: "PROCESSING",
      failureCode: null,
      failureMessage: null,
      createdAt: expect.any(String),
      succeededAt: null,
    });
    const done = await finalPayment(url, r.body.id);
    expect(done.status).toBe("SUCCEEDED");
    const { rows } = await sql<{ settled_at: Date; direction: string }>`
      select settled_at, direction from bank.transfers where id = ${r.body.id}::uuid`.execute(gw.service.db);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.direction).toBe("IN");
    expect(done.succeededAt).toBe(rows[0]!.settled_at.toISOString());
    await waitFor(() => pe.of(agreementId, "payment.succeeded").length > 0, { what: "payment.succeeded" });
    const seen = pe.of(agreementId);
    expect(seen.map((m) => m.topic)).toEqual(["payout.settled", "payment.succeeded"]);
    expect(seen[0]!.payload.payoutId).toBe(payoutId);
    expect(seen[1]!.payload).toEqual({
      paymentId: r.body.id,
      agreementId,
      amount: "27170.27",
      purpose: "EARLY_REPAYMENT",
      payer: { accountNumber: account() },
      succeededAt: done.succeededAt,
    });
    // Delivered and recorded as such: no second delivery is coming.
    await waitFor(
      async () =>
        (await count(sql`select count(*) as n from outbox_deliveries where aggregate_id = ${agreementId}
          and delivered_at is null`)) === 0,
    );
    expect(pe.of(agreementId, "payment.succeeded")).toHaveLength(1);
  });

  it("PE not ACTIVE yet answers retry: the relay sends it again until PE takes it", async () => {
    const { agreementId } = await disbursed(url);
    pe.retryFirst.add(agreementId);
    await pay(url, paymentBody(agreementId));
    await waitFor(() => pe.of(agreementId, "payment.succeeded").length === 2, { what: "a second delivery" });
  });

  it("a replay answers the first answer (PROCESSING) even after success; another body is 422; no key is 400", async () => {
    const { agreementId } = await disbursed(url);
    const key = randomUUID();
    const body = paymentBody(agreementId, { amount: "10.5" });
    const first = await pay(url, body, key);
    await finalPayment(url, first.body.id);
    // "10.50" is the same request as "10.5", and REGULAR is what purpose defaults to.
    const again = await pay(url, { ...body, amount: "10.50", purpose: "REGULAR" }, key);
    expect(again.status).toBe(202);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.headers.get("location")).toBe(`/payments/${first.body.id}`);
    expect(again.body).toEqual(first.body);
    expect(again.body.status).toBe("PROCESSING");
    const other = await pay(url, { ...body, amount: "11.00" }, key);
    expect([other.status, other.body.error.code]).toEqual([422, "IDEMPOTENCY_KEY_REUSED"]);
    const none = await pay(url, body, null);
    expect([none.status, none.body.error.code]).toEqual([400, "IDEMPOTENCY_KEY_REQUIRED"]);
    expect(await paymentsOf(agreementId)).toBe(1);
  });

  it("an agreement PG has not paid out, or that PE closed: 422 AGREEMENT_NOT_PAYABLE, nothing kept", async () => {
    const unknown = randomUUID();
    const failed = await disbursed(url, { destination: { accountNumber: account("9901") } });
    expect(failed.status).toBe("FAILED");
    const closed = await disbursed(url);
    await postBatch(url, "/internal/agreement-events", [statusChanged(closed.agreementId, "ACTIVE")]);
    expect((await pay(url, paymentBody(closed.agreementId))).status).toBe(202);
    await postBatch(url, "/internal/agreement-events", [statusChanged(closed.agreementId, "CLOSED")]);
    for (const agreementId of [unknown, failed.agreementId, closed.agreementId]) {
      const key = randomUUID();
      const r = await pay(url, paymentBody(agreementId), key);
      expect([r.status, r.body.error.code]).toEqual([422, "AGREEMENT_NOT_PAYABLE"]);
      expect(await keysNamed(key)).toBe(0);
    }
    expect(await paymentsOf(unknown)).toBe(0);
    expect(await paymentsOf(failed.agreementId)).toBe(0);
    expect(await paymentsOf(closed.agreementId)).toBe(1);
  });

  it.each([
    ["zero", { amount: "0" }],
    ["zero with cents", { amount: "0.00" }],
    ["three decimals", { amount: "10.005" }],
    ["above the ceiling", { amount: "100000000.01" }],
    ["a number", { amount: 10 }],
    ["a negative", { amount: "-1.00" }],
    ["an unknown purpose", { purpose: "GIFT" }],
    ["a short account", { payer: { accountNumber: "123" } }],
    ["an unknown field", { tip: "1.00" }],
  ])("%s: 400 VALIDATION_FAILED, nothing written, no key kept", async (_name, overrides) => {
    const { agreementId } = await disbursed(url);
    const key = randomUUID();
    const r = await pay(url, paymentBody(agreementId, overrides), key);
    expect([r.status, r.body.error.code]).toEqual([400, "VALIDATION_FAILED"]);
    expect(await paymentsOf(agreementId)).toBe(0);
    expect(await keysNamed(key)).toBe(0);
  });

  it("the ceiling itself and a cent are taken", async () => {
    const { agreementId } = await disbursed(url);
    expect((await pay(url, paymentBody(agreementId, { amount: "100000000.00" }))).body.amount).toBe("100000000.00");
    expect((await pay(url, paymentBody(agreementId, { amount: "0.01" }))).body.amount).toBe("0.01");
  });
});

describe("the bank's answers", () => {
  it("insufficient funds: FAILED with its code, never announced", async () => {
    const { agreementId } = await disbursed(url);
    const r = await pay(url, paymentBody(agreementId, { payer: { accountNumber: account("9903") } }));
    const done = await finalPayment(url, r.body.id);
    expect(done).toMatchObject({ status: "FAILED", failureCode: "insufficient_funds", succeededAt: null });
    expect(done.failureMessage).toEqual(expect.any(String));
    const outbox = await count(sql`select count(*) as n from outbox where topic = 'payment.succeeded'
      and aggregate_id = ${agreementId}`);
    expect(outbox).toBe(0);
  });

  it("…9904: three submits lost, never FAILED, SUCCEEDED with one transfer", async () => {
    const { agreementId } = await disbursed(url);
    const r = await pay(url, paymentBody(agreementId, { payer: { accountNumber: account("9904") } }));
    expect((await finalPayment(url, r.body.id)).status).toBe("SUCCEEDED");
    expect(await transfersOf(r.body.id)).toBe(1);
    const { rows } = await sql<{ n: number }>`
      select n from bank.calls where transfer_id = ${r.body.id}::uuid and op = 'submit'`.execute(gw.service.db);
    expect(rows[0]!.n).toBe(4);
  });
});

describe("GET /payments", () => {
  it("one by id, 404 for none; pages newest first with a cursor; filters by status; bad input is 400", async () => {
    const { agreementId } = await disbursed(url);
    const ids: string[] = [];
    for (const suffix of ["0001", "0002", "9903"])
      ids.push((await pay(url, paymentBody(agreementId, { payer: { accountNumber: account(suffix) } }))).body.id);
    for (const id of ids) await finalPayment(url, id);
    expect((await getJson(`${url}/payments/${ids[0]}`)).id).toBe(ids[0]);
    expect((await fetch(`${url}/payments/${randomUUID()}`)).status).toBe(404);
    const first = await getJson(`${url}/payments?agreementId=${agreementId}&limit=2`);
    expect(first.items.map((p: { id: string }) => p.id)).toEqual([ids[2], ids[1]]);
    const second = await getJson(`${url}/payments?agreementId=${agreementId}&limit=2&cursor=${first.nextCursor}`);
    expect(second.items.map((p: { id: string }) => p.id)).toEqual([ids[0]]);
    expect(second.nextCursor).toBeNull();
    const failed = await getJson(`${url}/payments?agreementId=${agreementId}&status=FAILED`);
    expect(failed.items.map((p: { id: string }) => p.id)).toEqual([ids[2]]);
    for (const q of ["status=LOST", "limit=0", "limit=101", "cursor=zzz", "agreementId=x", "kind=REFUND"])
      expect((await fetch(`${url}/payments?${q}`)).status, q).toBe(400);
    expect((await fetch(`${url}/payments/not-a-uuid`)).status).toBe(400);
  });

  it("metrics count payments by status and the bank's calls for them", async () => {
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/gateway_payments\{status="SUCCEEDED"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/gateway_bank_calls_total\{op="payment_submit",outcome="ok"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/gateway_bank_calls_total\{op="payment_submit",outcome="unknown"[^}]*\} [1-9]/);
  });
});
