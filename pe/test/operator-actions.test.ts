import { randomUUID } from "node:crypto";
import { operatorHeaders } from "@loans/shared/test-kit/operators";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { application, call, callInternal, startTestPe, type TestPe } from "./helpers.ts";

// Every operator action of PE leaves exactly one audit row naming its operator, allowed or refused.
let pe: TestPe;
let systemPe: TestPe;
beforeAll(async () => {
  [pe, systemPe] = await Promise.all([
    startTestPe({ BUSINESS_CLOCK: "manual", BUSINESS_DATE_START: "2025-01-10" }),
    startTestPe(),
  ]);
  olga = await operatorHeaders(pe.url, "olga", "officer");
});
afterAll(async () => {
  await pe?.stop();
  await systemPe?.stop();
});

let olga: Record<string, string>;

async function approved(): Promise<string> {
  const r = await call(pe.url, "POST", "/agreements", application());
  expect(r.status).toBe(201);
  const id = r.body.id as string;
  const decided = {
    id: String(Date.now()),
    topic: "application.decided",
    aggregateId: id,
    payload: { agreementId: id, result: "APPROVED", reasons: [], decidedAt: new Date().toISOString() },
    createdAt: new Date().toISOString(),
  };
  expect((await callInternal(pe.url, "/internal/decisions", { messages: [decided] })).body.results[0].outcome).toBe(
    "ok",
  );
  return id;
}

interface Row {
  operator_name: string;
  role: string | null;
  action: string;
  target: string | null;
  outcome: string;
  status: number;
  error_code: string | null;
  summary: Record<string, unknown>;
}

async function rowsOf(of: TestPe, requestId: string): Promise<Row[]> {
  const { rows } = await sql<Row>`
    select operator_name, role, action, target, outcome, status, error_code, summary
    from audit_log where request_id = ${requestId} order by id`.execute(of.db);
  return rows;
}

const rid = () => `op-${randomUUID()}`;

describe("PE's operator actions in the audit trail", () => {
  it("a disbursement: one row, in its transaction, the account masked", async () => {
    const id = await approved();
    const requestId = rid();
    const body = { destination: { accountNumber: "40817810000000000001" } };
    const r = await call(pe.url, "POST", `/agreements/${id}/disburse`, body, { ...olga, "x-request-id": requestId });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(await rowsOf(pe, requestId)).toEqual([
      {
        operator_name: "olga",
        role: "officer",
        action: "agreement.disburse",
        target: `agreement:${id}`,
        outcome: "ALLOWED",
        status: 202,
        error_code: null,
        summary: { account: "…0001", moved: true },
      },
    ]);
  });

  it("a refused disbursement (another account): one FAILED row naming the operator", async () => {
    const id = await approved();
    await call(pe.url, "POST", `/agreements/${id}/disburse`, {
      destination: { accountNumber: "40817810000000000001" },
    });
    const requestId = rid();
    const other = { destination: { accountNumber: "40817810000000000002" } };
    const r = await call(pe.url, "POST", `/agreements/${id}/disburse`, other, { ...olga, "x-request-id": requestId });
    expect(r.status).toBe(409);
    expect(await rowsOf(pe, requestId)).toMatchObject([
      {
        operator_name: "olga",
        action: "agreement.disburse",
        target: `agreement:${id}`,
        outcome: "FAILED",
        status: 409,
      },
    ]);
  });

  it("a withdrawal, and a refused one of an unknown agreement", async () => {
    const id = await approved();
    const requestId = rid();
    const r = await call(pe.url, "POST", `/agreements/${id}/withdraw`, undefined, {
      ...olga,
      "x-request-id": requestId,
    });
    expect(r.status).toBe(200);
    expect(await rowsOf(pe, requestId)).toMatchObject([
      {
        operator_name: "olga",
        action: "agreement.withdraw",
        target: `agreement:${id}`,
        outcome: "ALLOWED",
        summary: { moved: true },
      },
    ]);
    const unknown = randomUUID();
    const refused = rid();
    const n = await call(pe.url, "POST", `/agreements/${unknown}/withdraw`, undefined, {
      ...olga,
      "x-request-id": refused,
    });
    expect(n.status).toBe(404);
    expect(await rowsOf(pe, refused)).toMatchObject([
      {
        operator_name: "olga",
        action: "agreement.withdraw",
        target: `agreement:${unknown}`,
        outcome: "FAILED",
        error_code: "NOT_FOUND",
      },
    ]);
  });

  it("a client's withdrawal (no operator) is no operator action: no row", async () => {
    const id = await approved();
    const requestId = rid();
    expect(
      (await call(pe.url, "POST", `/agreements/${id}/withdraw`, undefined, { "x-request-id": requestId })).status,
    ).toBe(200);
    expect(await rowsOf(pe, requestId)).toEqual([]);
  });

  it("a business-date move, and one refused on the system clock", async () => {
    const requestId = rid();
    const ivan = { ...(await operatorHeaders(pe.url, "ivan", "operator")), "x-request-id": requestId };
    const r = await call(pe.url, "POST", "/admin/business-date", { date: "2025-01-12" }, ivan);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(await rowsOf(pe, requestId)).toMatchObject([
      {
        operator_name: "ivan",
        action: "business-date.move",
        target: "business-date",
        outcome: "ALLOWED",
        summary: { from: "2025-01-10", to: "2025-01-12" },
      },
    ]);
    const refused = rid();
    const s = await call(
      systemPe.url,
      "POST",
      "/admin/business-date",
      { date: "2030-01-01" },
      {
        ...(await operatorHeaders(systemPe.url, "ivan", "operator")),
        "x-request-id": refused,
      },
    );
    expect(s.status).toBe(409);
    expect(await rowsOf(systemPe, refused)).toMatchObject([
      {
        operator_name: "ivan",
        action: "business-date.move",
        outcome: "FAILED",
        status: 409,
        error_code: "CLOCK_NOT_MANUAL",
      },
    ]);
  });

  it("GET /admin/audit shows an agreement's own trail", async () => {
    const id = await approved();
    await call(
      pe.url,
      "POST",
      `/agreements/${id}/disburse`,
      { destination: { accountNumber: "40817810000000000001" } },
      olga,
    );
    const r = await call(
      pe.url,
      "GET",
      `/admin/audit?target=agreement:${id}`,
      undefined,
      await operatorHeaders(pe.url, "vera", "viewer"),
    );
    expect(r.status).toBe(200);
    expect(r.body.items).toMatchObject([{ action: "agreement.disburse", operator: { name: "olga", role: "officer" } }]);
  });
});
