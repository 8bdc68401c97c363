import { operatorHeaders } from "@loans/shared/test-kit/operators";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, counts, createProduct, newPassport, startTestPe, type TestPe } from "./helpers.ts";

const ADMIN_TOKEN = "admin-token-for-tests-0123456789";
let pe: TestPe;
beforeAll(async () => {
  pe = await startTestPe({ ADMIN_TOKEN });
});
afterAll(() => pe?.stop());

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const product = (overrides: Record<string, unknown> = {}) => ({
  code: `P-${newPassport()}`,
  name: "Test loan",
  amortization: "EQUAL_PRINCIPAL",
  minTermMonths: 6,
  maxTermMonths: 60,
  minPrincipal: "10000.00",
  maxPrincipal: 2000000,
  minInterestRate: "5.25",
  maxInterestRate: "29.9999",
  minOriginationFee: 0,
  maxOriginationFee: "1500.50",
  ...overrides,
});

describe("products", () => {
  it("has CL1.0 from the first migration", async () => {
    const r = await call(pe.url, "GET", "/products/CL1.0");
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      code: "CL1.0",
      name: "Consumer loan",
      amortization: "ANNUITY",
      minTermMonths: 3,
      maxTermMonths: 24,
      minPrincipal: "50000.00",
      maxPrincipal: "500000.00",
      minInterestRate: "8",
      maxInterestRate: "15",
      minOriginationFee: "2000.00",
      maxOriginationFee: "10000.00",
      penaltyRate: "20",
      penaltyGraceDays: 0,
      pskCeiling: "365.000",
      dueDateShift: "NONE",
      createdAt: expect.any(String),
    });
    const listed = await call(pe.url, "GET", "/products");
    expect(listed.body.items.map((p: { code: string }) => p.code)).toContain("CL1.0");
  });

  it("answers 404 for an unknown code", async () => {
    const r = await call(pe.url, "GET", "/products/NOPE");
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe("NOT_FOUND");
  });

  it("creates a product with four eyes: 202 PENDING, created when another admin approves, then 409 PRODUCT_EXISTS", async () => {
    const p = product();
    const { asked, approved, product: created } = await createProduct(pe.url, p, admin);
    expect(asked.status, JSON.stringify(asked.body)).toBe(202);
    expect(asked.headers.get("location")).toBe(`/admin/approvals/${asked.body.approval.id}`);
    expect(asked.body.approval).toMatchObject({
      status: "PENDING",
      action: "product.create",
      target: `product:${p.code}`,
    });
    expect(approved?.status, JSON.stringify(approved?.body)).toBe(200);
    const r = { body: created };
    expect(r.body).toMatchObject({
      code: p.code,
      amortization: "EQUAL_PRINCIPAL",
      maxPrincipal: "2000000.00",
      minInterestRate: "5.25",
      maxInterestRate: "29.9999",
      minOriginationFee: "0.00",
      maxOriginationFee: "1500.50",
    });
    expect((await call(pe.url, "GET", `/products/${p.code}`)).body).toEqual(r.body);
    const again = await call(pe.url, "POST", "/products", { ...p, name: "Other" }, admin);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("PRODUCT_EXISTS");
  });

  it("does nothing until approved, and the requester may not approve", async () => {
    const p = product();
    const before = await counts(pe);
    const asked = await call(pe.url, "POST", "/products", p, await operatorHeaders(pe.url, "anna", "admin", admin));
    expect(asked.status).toBe(202);
    expect((await call(pe.url, "GET", `/products/${p.code}`)).status).toBe(404);
    const own = await call(
      pe.url,
      "POST",
      `/admin/approvals/${asked.body.approval.id}/approve`,
      undefined,
      await operatorHeaders(pe.url, "anna", "admin", admin),
    );
    expect(own.status).toBe(403);
    expect(own.body.error.code).toBe("SAME_OPERATOR");
    const officer = await call(
      pe.url,
      "POST",
      `/admin/approvals/${asked.body.approval.id}/approve`,
      undefined,
      await operatorHeaders(pe.url, "olga", "officer", admin),
    );
    expect(officer.status).toBe(403);
    expect(officer.body.error.code).toBe("FORBIDDEN");
    expect(await counts(pe)).toEqual(before);
  });

  it("fails the approval with 409 PRODUCT_EXISTS when the code was taken meanwhile", async () => {
    const p = product();
    const first = await call(pe.url, "POST", "/products", p, await operatorHeaders(pe.url, "anna", "admin", admin));
    const second = await call(
      pe.url,
      "POST",
      "/products",
      { ...p, name: "Second" },
      await operatorHeaders(pe.url, "anna", "admin", admin),
    );
    const boris = await operatorHeaders(pe.url, "boris", "admin", admin);
    const approve = (id: string) => call(pe.url, "POST", `/admin/approvals/${id}/approve`, undefined, boris);
    expect((await approve(first.body.approval.id)).status).toBe(200);
    const r = await approve(second.body.approval.id);
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe("PRODUCT_EXISTS");
    const stored = await call(pe.url, "GET", `/admin/approvals/${second.body.approval.id}`, undefined, admin);
    expect(stored.body.approval).toMatchObject({ status: "FAILED", result: { error: { code: "PRODUCT_EXISTS" } } });
    expect((await call(pe.url, "GET", `/products/${p.code}`)).body.name).toBe(p.name);
    const { rows } = await sql<{ action: string; operator_name: string; outcome: string }>`
      select action, operator_name, outcome from audit_log where target = ${`product:${p.code}`} order by id`.execute(
      pe.db,
    );
    expect(rows).toEqual([
      { action: "approval.request", operator_name: "anna", outcome: "ALLOWED" },
      { action: "approval.request", operator_name: "anna", outcome: "ALLOWED" },
      { action: "approval.approve", operator_name: "boris", outcome: "ALLOWED" },
      { action: "approval.approve", operator_name: "boris", outcome: "FAILED" },
    ]);
  });

  it("defaults the amortization to ANNUITY", async () => {
    const { amortization: _, ...p } = product();
    const r = await createProduct(pe.url, p, admin);
    expect(r.approved?.status).toBe(200);
    expect(r.product.amortization).toBe("ANNUITY");
  });

  it.each([
    ["no token", {}],
    ["a wrong token", { authorization: "Bearer not-the-admin-token-at-all" }],
    ["the token without Bearer", { authorization: ADMIN_TOKEN }],
  ])("refuses %s with a 401 and creates nothing", async (_, headers) => {
    const before = await counts(pe);
    const r = await call(pe.url, "POST", "/products", product(), headers);
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe("UNAUTHORIZED");
    expect(await counts(pe)).toEqual(before);
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    [
      "min above max, every pair",
      { minTermMonths: 61, minPrincipal: "3000000", minInterestRate: "30", minOriginationFee: "2000" },
      ["maxTermMonths", "maxPrincipal", "maxInterestRate", "maxOriginationFee"],
    ],
    [
      "a pair broken beside a bad field",
      { minTermMonths: 1.5, minPrincipal: "3000000", name: "" },
      ["minTermMonths", "maxPrincipal", "name"],
    ],
    ["a rate of 1000 (numeric(7,4) holds up to 999.9999)", { maxInterestRate: "1000" }, ["maxInterestRate"]],
    ["a zero principal", { minPrincipal: "0.00" }, ["minPrincipal"]],
    ["a code with a slash", { code: "A/B" }, ["code"]],
    ["an unknown amortization", { amortization: "BALLOON" }, ["amortization"]],
    ["a term of 0", { minTermMonths: 0 }, ["minTermMonths"]],
    ["an unknown field", { currency: "RUB" }, ["currency"]],
  ])("refuses %s with a 400 listing every problem", async (_, overrides, paths) => {
    const before = await counts(pe);
    const r = await call(pe.url, "POST", "/products", product(overrides), admin);
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect([...new Set(r.body.error.details.map((d: { path: string }) => d.path))].sort()).toEqual([...paths].sort());
    expect(await counts(pe)).toEqual(before);
  });
});

describe("products without ADMIN_TOKEN", () => {
  it("leaves POST /products open (still four-eyes)", async () => {
    const open = await startTestPe();
    try {
      const r = await createProduct(open.url, product());
      expect(r.asked.status).toBe(202);
      expect(r.approved?.status).toBe(200);
    } finally {
      await open.stop();
    }
  });
});
