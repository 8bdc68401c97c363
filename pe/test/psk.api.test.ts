import { Dec } from "@loans/shared/money";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computePsk, pskCheck } from "../src/psk/psk.ts";
import { application, type Counts, call, counts, createProduct, startTestPe, type TestPe } from "./helpers.ts";
import { approvedLoan, disburseAndPay, loan, moveTo, pay } from "./servicing-helpers.ts";

// EXCEPTIONS §6.1 through the API: the LIFECYCLE §5 loan, created on 2025-01-10, disbursed 2025-01-15.
let pe: TestPe;

beforeAll(async () => {
  pe = await startTestPe({ BUSINESS_CLOCK: "manual", BUSINESS_DATE_START: "2025-01-10" });
});
afterAll(() => pe?.stop());

const product = (code: string, extra: Record<string, unknown> = {}) => ({
  code,
  name: "PSK test product",
  minTermMonths: 3,
  maxTermMonths: 24,
  minPrincipal: "50000.00",
  maxPrincipal: "500000.00",
  minInterestRate: "8",
  maxInterestRate: "15",
  minOriginationFee: "0.00",
  maxOriginationFee: "10000.00",
  ...extra,
});

describe("PSK on the agreement (EXCEPTIONS §6.1, §3.11)", () => {
  let id: string;

  it("indicative at creation: dated from the business date, 15.655 / 26 043.27, final false", async () => {
    const created = await call(pe.url, "POST", "/agreements", application());
    expect(created.status).toBe(201);
    expect(created.body.psk).toEqual({ percent: "15.655", amount: "26043.27", final: false, scheduleVersion: 1 });
    expect(created.body.schedule[0].dueDate).toBe("2025-02-10");
    id = created.body.id;
    expect((await loan(pe, id)).psk).toEqual(created.body.psk);
    const list = await call(pe.url, "GET", `/agreements?clientId=${created.body.clientId}`);
    expect(list.body.items[0].psk).toEqual(created.body.psk);
  });

  it("final at ACTIVE: start = disbursedOn, the same figures", async () => {
    id = await approvedLoan(pe);
    await moveTo(pe, "2025-01-15");
    await disburseAndPay(pe, id);
    const a = await loan(pe, id);
    expect(a.disbursement.disbursedOn).toBe("2025-01-15");
    expect(a.psk).toEqual({ percent: "15.655", amount: "26043.27", final: true, scheduleVersion: 1 });
  });

  it("recomputed on a partial early repayment's version: payments made on their value dates, then the new rows", async () => {
    for (const d of ["2025-02-15", "2025-03-15", "2025-04-15"]) {
      await moveTo(pe, d);
      expect((await pay(pe, id, { amount: "27170.27" })).outcome).toBe("ok");
    }
    // Paid between due dates: it waits for 05-15, pays period 4 and reduces the balance by the rest (§2.5b).
    await moveTo(pe, "2025-04-25");
    expect((await pay(pe, id, { amount: "50000.00", purpose: "EARLY_REPAYMENT" })).outcome).toBe("ok");
    expect((await loan(pe, id)).psk.scheduleVersion).toBe(1);
    await moveTo(pe, "2025-05-15");
    const a = await loan(pe, id);
    expect(a.scheduleVersion).toBe(2);
    expect(a.psk).toMatchObject({ final: true, scheduleVersion: 2 });
    // §4.2 item 15: amount = Σ payments of the current version − disbursementAmount.
    const total = a.schedule.reduce((s: Dec, r: { payment: string }) => s.plus(r.payment), new Dec(0));
    expect(a.psk.amount).toBe(total.minus("300000.00").toFixed(2));
    const flows = [
      ...["2025-02-15", "2025-03-15", "2025-04-15"].map((date) => ({ date, amount: "27170.27" })),
      { date: "2025-04-25", amount: "50000.00" },
      ...a.schedule.slice(4).map((r: { dueDate: string; payment: string }) => ({ date: r.dueDate, amount: r.payment })),
    ];
    const input = { start: "2025-01-15", disbursementAmount: "300000.00", flows };
    expect(a.psk).toMatchObject(computePsk(input));
    expect(pskCheck(input, a.psk.percent)).toBe(true);
    expect(a.psk.percent).not.toBe("15.655");
  });

  it("not for the payoff's version: the last PSK stays once CLOSED", async () => {
    const before = (await loan(pe, id)).psk;
    await moveTo(pe, "2025-06-02");
    expect((await pay(pe, id, { amount: "200000.00", purpose: "EARLY_REPAYMENT" })).outcome).toBe("ok");
    const a = await loan(pe, id);
    expect(a.status).toBe("CLOSED");
    expect(a.scheduleVersion).toBe(3);
    expect(a.psk).toEqual(before);
  });
});

describe("an agreement from before 0009_psk.sql", () => {
  it("shows psk null, and an ACTIVE one gets it from the next daily job", async () => {
    const id = await approvedLoan(pe);
    await disburseAndPay(pe, id);
    await pe.db
      .updateTable("agreements")
      .set({ psk_percent: null, psk_amount: null, psk_final: null, psk_schedule_version: null })
      .where("id", "=", id)
      .execute();
    expect((await loan(pe, id)).psk).toBeNull();
    await moveTo(pe, "2025-06-03");
    expect((await loan(pe, id)).psk).toEqual({
      percent: "15.655",
      amount: "26043.27",
      final: true,
      scheduleVersion: 1,
    });
  });
});

describe("pskCeiling", () => {
  it("POST /products takes pskCeiling (default 365.000) and refuses one out of range, writing nothing", async () => {
    const plain = await createProduct(pe.url, product("PSKD.1"));
    expect(plain.approved?.status).toBe(200);
    expect(plain.product.pskCeiling).toBe("365.000");
    expect((await call(pe.url, "GET", "/products/CL1.0")).body.pskCeiling).toBe("365.000");
    for (const bad of ["0", "0.000", "365.001", "-1", "15.6555", "abc", 400, true]) {
      const { asked: r } = await createProduct(pe.url, product("PSKBAD.1", { pskCeiling: bad }));
      expect(r.status, String(bad)).toBe(400);
      expect(r.body.error.code).toBe("VALIDATION_FAILED");
      expect(r.body.error.details.map((d: { path: string }) => d.path)).toContain("pskCeiling");
    }
    expect((await call(pe.url, "GET", "/products/PSKBAD.1")).status).toBe(404);
    const edge = await createProduct(pe.url, product("PSKE.1", { pskCeiling: 0.001 }));
    expect(edge.product.pskCeiling).toBe("0.001");
  });

  it("an agreement above the ceiling is 422 PSK_ABOVE_CEILING with nothing written; equal passes", async () => {
    await createProduct(pe.url, product("PSK15.654", { pskCeiling: "15.654" }));
    await createProduct(pe.url, product("PSK15.655", { pskCeiling: "15.655" }));
    const before: Counts = await counts(pe);
    const refused = await call(pe.url, "POST", "/agreements", application({ productCode: "PSK15.654" }), {
      "Idempotency-Key": "psk-ceiling-1",
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({
      code: "PSK_ABOVE_CEILING",
      details: [{ path: "psk", psk: "15.655", pskCeiling: "15.654" }],
    });
    expect(await counts(pe)).toEqual(before);
    const equal = await call(pe.url, "POST", "/agreements", application({ productCode: "PSK15.655" }));
    expect(equal.status).toBe(201);
    expect(equal.body.psk.percent).toBe("15.655");
  });

  it("bounds come first: terms outside them are OUT_OF_BOUNDS whatever the PSK", async () => {
    const r = await call(pe.url, "POST", "/agreements", application({ productCode: "PSK15.654", termMonths: 30 }));
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe("OUT_OF_BOUNDS");
  });
});

describe("GET /agreements/{id}/terms", () => {
  it("answers the printable page with the PSK; an unknown id is 404", async () => {
    const created = await call(pe.url, "POST", "/agreements", application());
    const r = await fetch(`${pe.url}/agreements/${created.body.id}/terms`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await r.text();
    expect(html).toContain('id="psk"');
    expect(html).toContain("15,655\u00a0%");
    expect(html).toContain("26\u00a0043,27");
    const missing = await call(pe.url, "GET", "/agreements/00000000-0000-4000-8000-000000000000/terms");
    expect(missing.status).toBe(404);
    expect((await call(pe.url, "GET", "/agreements/nope/terms")).status).toBe(404);
  });
});
