import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, callInternal, counts, startTestPe, type TestPe } from "./helpers.ts";
import { activeLoan, approvedLoan, loan, moveTo, paymentMessage, wire } from "./servicing-helpers.ts";

// Bad input to servicing: a clear 4xx (or a refused item for PG's batches) and nothing written.
let pe: TestPe;
let id: string;
beforeAll(async () => {
  pe = await startTestPe({ BUSINESS_CLOCK: "manual", BUSINESS_DATE_START: "2025-01-15" });
  id = await activeLoan(pe);
});
afterAll(() => pe?.stop());

const paymentRows = async () =>
  (
    await pe.db
      .selectFrom("payments")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .executeTakeFirstOrThrow()
  ).n;

describe("payoff quote refusals", () => {
  it.each([
    ["2025-01-14", "before the business date"],
    ["2025-02-16", "after the next due date"],
  ])("a date %s (%s) is 422 QUOTE_NOT_AVAILABLE, with the range in words", async (date) => {
    const r = await call(pe.url, "GET", `/agreements/${id}/payoff-quote?date=${date}`);
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ code: "QUOTE_NOT_AVAILABLE", details: [{ path: "date" }] });
    expect(r.body.error.message).toMatch(/2025-01-15|2025-02-15/);
  });

  it.each(["2025-02-30", "15.02.2025", "tomorrow"])("a date %s that is no calendar date is 400", async (date) => {
    const r = await call(pe.url, "GET", `/agreements/${id}/payoff-quote?date=${date}`);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("VALIDATION_FAILED");
  });

  it("an unknown parameter is 400; an unknown agreement 404; one not disbursed 422", async () => {
    expect((await call(pe.url, "GET", `/agreements/${id}/payoff-quote?on=2025-01-20`)).status).toBe(400);
    expect((await call(pe.url, "GET", `/agreements/${randomUUID()}/payoff-quote`)).status).toBe(404);
    const approved = await approvedLoan(pe);
    const r = await call(pe.url, "GET", `/agreements/${approved}/payoff-quote`);
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({
      code: "QUOTE_NOT_AVAILABLE",
      details: [{ path: "status", message: "is APPROVED" }],
    });
  });

  it("on the disbursement day the quote is the principal: the financed fee is owed from day one", async () => {
    const r = await call(pe.url, "GET", `/agreements/${id}/payoff-quote`);
    expect(r.body).toMatchObject({ date: "2025-01-15", amount: "305000.00", components: { interest: "0.00" } });
  });
});

describe("payments PG could not send, refused item by item", () => {
  it.each([
    ["a zero amount", "0.00"],
    ["three decimals", "10.005"],
    ["a negative amount", "-5.00"],
  ])("%s is rejected VALIDATION_FAILED and writes nothing", async (_what, amount) => {
    const before = await counts(pe);
    const r = await callInternal(pe.url, "/internal/payments", { messages: [paymentMessage(id, { amount })] });
    expect(r.body.results[0]).toMatchObject({ outcome: "rejected", error: { code: "VALIDATION_FAILED" } });
    expect(await counts(pe)).toEqual(before);
    expect(await paymentRows()).toBe("0");
  });

  it("an unknown agreement is rejected UNKNOWN_AGREEMENT; one PE does not know ACTIVE yet is retried", async () => {
    const unknown = randomUUID();
    const r = await callInternal(pe.url, "/internal/payments", {
      messages: [paymentMessage(unknown, { amount: "1.00" })],
    });
    expect(r.body.results[0]).toMatchObject({ outcome: "rejected", error: { code: "UNKNOWN_AGREEMENT" } });
    const approved = await approvedLoan(pe);
    const early = await callInternal(pe.url, "/internal/payments", {
      messages: [paymentMessage(approved, { amount: "1.00" })],
    });
    expect(early.body.results[0]).toMatchObject({ outcome: "retry", error: { code: "NOT_ACTIVE_YET" } });
    expect(await paymentRows()).toBe("0");
  });

  it("a payment id seen before with another amount is rejected CONTRADICTION, the first one kept", async () => {
    const paymentId = randomUUID();
    const first = await callInternal(pe.url, "/internal/payments", {
      messages: [paymentMessage(id, { amount: "100.00", paymentId })],
    });
    expect(first.body.results[0].outcome).toBe("ok");
    const other = await callInternal(pe.url, "/internal/payments", {
      messages: [paymentMessage(id, { amount: "200.00", paymentId })],
    });
    expect(other.body.results[0]).toMatchObject({ outcome: "rejected", error: { code: "CONTRADICTION" } });
    expect((await loan(pe, id)).balances.unappliedFunds).toBe("100.00");
  });

  it("an unsigned batch is 401", async () => {
    const r = await call(pe.url, "POST", "/internal/payments", { messages: [wire("payment.succeeded", id, {})] });
    expect(r.status).toBe(401);
  });
});

describe("the business date", () => {
  it("cannot go back: 422 and the loan's figures unchanged", async () => {
    await moveTo(pe, "2025-01-20");
    const before = await loan(pe, id);
    const r = await call(pe.url, "POST", "/admin/business-date", { date: "2025-01-19" });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe("DATE_NOT_AFTER_CURRENT");
    expect(await loan(pe, id)).toEqual(before);
  });
});
