import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addMonthsClamped } from "../src/calendar.ts";
import { application, call, counts, createProduct, newPassport, startTestPe, type TestPe } from "./helpers.ts";

let pe: TestPe;
let wakes = 0;
beforeAll(async () => {
  pe = await startTestPe({}, { afterCommit: () => wakes++ });
});
afterAll(() => pe?.stop());

const post = (body: unknown, headers?: Record<string, string>) => call(pe.url, "POST", "/agreements", body, headers);
const get = (path: string) => call(pe.url, "GET", path);

// 305 000.00 at 12.5 % over 12 months, annuity: SCHEDULE.md's formulas, cross-checked in Python's decimal.
const EXAMPLE_FIGURES = [
  ["27170.27", "23993.19", "3177.08", "281006.81"],
  ["27170.27", "24243.12", "2927.15", "256763.69"],
  ["27170.27", "24495.65", "2674.62", "232268.04"],
  ["27170.27", "24750.81", "2419.46", "207517.23"],
  ["27170.27", "25008.63", "2161.64", "182508.60"],
  ["27170.27", "25269.14", "1901.13", "157239.46"],
  ["27170.27", "25532.36", "1637.91", "131707.10"],
  ["27170.27", "25798.32", "1371.95", "105908.78"],
  ["27170.27", "26067.05", "1103.22", "79841.73"],
  ["27170.27", "26338.59", "831.68", "53503.14"],
  ["27170.27", "26612.95", "557.32", "26890.19"],
  ["27170.30", "26890.19", "280.11", "0.00"],
];

describe("POST /agreements: the contract's example", () => {
  it("creates the agreement in NEW with its schedule to the cent, a Location and the outbox message", async () => {
    const body = application();
    const wakesBefore = wakes;
    const r = await post(body);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const a = r.body;
    expect(r.headers.get("location")).toBe(`/agreements/${a.id}`);
    expect(Object.keys(a).sort()).toEqual(
      [
        "id",
        "clientId",
        "productCode",
        "status",
        "disbursementAmount",
        "originationFee",
        "principal",
        "termMonths",
        "interestRate",
        "monthlyPayment",
        "createdAt",
        "updatedAt",
        "statusHistory",
        "decision",
        "schedule",
        "scheduleAnchoredOn",
        "disbursement",
        "businessDate",
        "scheduleVersion",
        "balances",
        "delinquency",
        "currentPayment",
        "closedOn",
        "refunds",
        "psk",
      ].sort(),
    );
    expect(a).toMatchObject({
      // EXCEPTIONS §6.1 indicative: the same figures whatever the creation's date.
      psk: { percent: "15.655", amount: "26043.27", final: false, scheduleVersion: 1 },
      scheduleAnchoredOn: null,
      disbursement: null,
      productCode: "CL1.0",
      status: "NEW",
      disbursementAmount: "300000.00",
      originationFee: "5000.00",
      principal: "305000.00",
      termMonths: 12,
      interestRate: "12.5",
      monthlyPayment: "27170.27",
      decision: null,
      statusHistory: [{ status: "NEW", at: a.createdAt }],
    });
    const start = a.createdAt.slice(0, 10);
    expect(a.schedule).toEqual(
      EXAMPLE_FIGURES.map(([payment, principal, interest, balance], i) => ({
        period: i + 1,
        periodEnd: addMonthsClamped(start, i + 1),
        dueDate: addMonthsClamped(start, i + 1),
        payment,
        principal,
        interest,
        balance,
        status: "PENDING",
        paidPrincipal: "0.00",
        paidInterest: "0.00",
        penalty: "0.00",
        paidPenalty: "0.00",
        paidOn: null,
      })),
    );
    expect(wakes).toBe(wakesBefore + 1);

    const outbox = await pe.db.selectFrom("outbox").selectAll().where("aggregate_id", "=", a.id).execute();
    expect(outbox).toHaveLength(1);
    // No Origination runs here: the relay may already have tried (and failed) to deliver it.
    expect(outbox[0]).toMatchObject({ topic: "agreement.created", delivered_at: null, dead_at: null });
    expect(outbox[0]!.payload).toStrictEqual({
      agreementId: a.id,
      clientId: a.clientId,
      productCode: "CL1.0",
      birthDate: "1990-05-17",
      monthlyIncome: "150000.00",
      principal: "305000.00",
      termMonths: 12,
      interestRate: "12.5",
      monthlyPayment: "27170.27",
      lastDueDate: addMonthsClamped(start, 12),
      applicationDate: start,
    });

    const again = await get(`/agreements/${a.id}`);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(a);
    const rows = await pe.db
      .selectFrom("schedule_payments")
      .select("period")
      .where("agreement_id", "=", a.id)
      .execute();
    expect(rows).toHaveLength(12);
  });

  it("accepts numbers for amounts and normalises the passport; the fee defaults to the product's minimum", async () => {
    const passport = newPassport();
    const r = await post(
      application({
        client: {
          passportNumber: `${passport.slice(0, 4)} ${passport.slice(4, 6)}-${passport.slice(6)}`,
          monthlyIncome: 0,
        },
        disbursementAmount: 100000,
        interestRate: 9.4822,
        originationFee: undefined,
      }),
    );
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({
      disbursementAmount: "100000.00",
      originationFee: "2000.00",
      principal: "102000.00",
      interestRate: "9.4822",
    });
    const client = await get(`/clients/${r.body.clientId}`);
    expect(client.body).toMatchObject({ passportNumber: passport, monthlyIncome: "0.00" });
  });
});

describe("clients", () => {
  it("finds the client by passport, updates contact details and income, keeps the identity as first spelled", async () => {
    const passport = newPassport();
    const first = await post(application({ client: { passportNumber: passport, middleName: undefined } }));
    expect(first.status).toBe(201);
    const second = await post(
      application({
        client: {
          passportNumber: passport.toLowerCase(),
          firstName: "IVAN",
          lastName: "petrov",
          middleName: "Ivanovich",
          email: "new@example.com",
          phone: "+442071234567",
          monthlyIncome: "200000.50",
        },
      }),
    );
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    expect(second.body.clientId).toBe(first.body.clientId);
    const c = await get(`/clients/${first.body.clientId}`);
    expect(c.status).toBe(200);
    expect(c.body).toEqual({
      id: first.body.clientId,
      firstName: "Ivan",
      lastName: "Petrov",
      middleName: "Ivanovich",
      birthDate: "1990-05-17",
      passportNumber: passport,
      email: "new@example.com",
      phone: "+442071234567",
      monthlyIncome: "200000.50",
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const outbox = await pe.db
      .selectFrom("outbox")
      .select("payload")
      .where("aggregate_id", "=", second.body.id)
      .executeTakeFirstOrThrow();
    expect(outbox.payload).toMatchObject({ monthlyIncome: "200000.50", clientId: first.body.clientId });
  });

  it("refuses the same passport with another name or birth date (409) and writes nothing", async () => {
    const passport = newPassport();
    expect((await post(application({ client: { passportNumber: passport } }))).status).toBe(201);
    const before = await counts(pe);
    const r = await post(
      application({
        client: { passportNumber: passport, lastName: "Sidorov", birthDate: "1991-05-17", email: "x@y.zz" },
      }),
    );
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe("CLIENT_MISMATCH");
    expect(r.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      "client.birthDate",
      "client.lastName",
    ]);
    expect(await counts(pe)).toEqual(before);
    const { rows } = await sql<{
      email: string;
    }>`select email from clients where passport_number = ${passport}`.execute(pe.db);
    expect(rows[0]?.email).toBe("ivan@example.com");
  });

  it("answers 404 for an unknown or malformed client id", async () => {
    expect((await get("/clients/00000000-0000-4000-8000-000000000000")).status).toBe(404);
    const r = await get("/clients/not-a-uuid");
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe("NOT_FOUND");
  });
});

describe("agreements of other products", () => {
  it("uses the product's amortization, and takes a zero fee when the product allows it", async () => {
    const code = `EP-${newPassport()}`;
    const created = await createProduct(pe.url, {
      code,
      name: "Equal principal, no fee",
      amortization: "EQUAL_PRINCIPAL",
      minTermMonths: 1,
      maxTermMonths: 360,
      minPrincipal: "1000.00",
      maxPrincipal: "1000000.00",
      minInterestRate: "0",
      maxInterestRate: "30",
      minOriginationFee: "0.00",
      maxOriginationFee: "100.00",
    });
    expect(created.approved?.status, JSON.stringify(created.approved?.body)).toBe(200);
    const r = await post(
      application({
        productCode: code,
        disbursementAmount: "305000.00",
        originationFee: "0.00",
        termMonths: 12,
        interestRate: "12.5",
      }),
    );
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ originationFee: "0.00", principal: "305000.00", monthlyPayment: "28593.75" });
    expect(r.body.schedule.at(-1)).toMatchObject({ payment: "25681.39", principal: "25416.63", balance: "0.00" });

    const long = await post(
      application({
        productCode: code,
        disbursementAmount: "1000.00",
        originationFee: undefined,
        termMonths: 360,
        interestRate: "0",
      }),
    );
    expect(long.status, JSON.stringify(long.body)).toBe(201);
    expect(long.body.schedule).toHaveLength(360);
    expect(long.body.schedule.at(-1).balance).toBe("0.00");
  });
});

describe("reads", () => {
  it("answers 404, never 500, for unknown and malformed agreement ids", async () => {
    for (const id of ["00000000-0000-4000-8000-000000000000", "nope", "1", "'; drop table agreements; --"]) {
      const r = await get(`/agreements/${encodeURIComponent(id)}`);
      expect(r.status, id).toBe(404);
      expect(r.body.error.code).toBe("NOT_FOUND");
    }
  });

  it("serves an OpenAPI 3.1 document built from the schemas", async () => {
    const r = await get("/openapi.json");
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe("3.1.0");
    expect(Object.keys(r.body.paths).sort()).toEqual(
      [
        "/admin/approvals",
        "/admin/approvals/{id}",
        "/admin/approvals/{id}/approve",
        "/admin/approvals/{id}/reject",
        "/admin/audit",
        "/admin/business-date",
        "/admin/calendar/{year}",
        "/admin/me",
        "/admin/operators",
        "/admin/operators/{id}",
        "/admin/operators/{id}/tokens",
        "/admin/operators/{id}/tokens/{tokenId}",
        "/admin/outbox",
        "/admin/outbox/dead",
        "/admin/outbox/messages",
        "/admin/outbox/requeue",
        "/admin/queues",
        "/agreements",
        "/agreements/counts",
        "/agreements/{id}",
        "/agreements/{id}/terms",
        "/agreements/{id}/withdraw",
        "/agreements/{id}/disburse",
        "/agreements/{id}/payoff-quote",
        "/agreements/{id}/schedule-versions",
        "/agreements/{id}/transactions",
        "/clients/{id}",
        "/events",
        "/internal/decisions",
        "/internal/payout-results",
        "/internal/payments",
        "/products",
        "/products/{code}",
      ].sort(),
    );
    // Shared schemas sit under components, referred to by $ref.
    const resolve = (s: { $ref?: string }) => (s.$ref ? r.body.components.schemas[s.$ref.split("/").pop()!] : s);
    const create = r.body.paths["/agreements"].post;
    const schema = resolve(create.requestBody.content["application/json"].schema);
    expect(schema.required).toEqual(
      expect.arrayContaining(["productCode", "client", "disbursementAmount", "termMonths", "interestRate"]),
    );
    expect(schema.additionalProperties).toBe(false);
    expect(create.parameters.map((p: { name: string }) => p.name)).toContain("Idempotency-Key");
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(["201", "400", "409", "413", "422"]));
    expect(
      resolve(r.body.paths["/agreements/{id}"].get.responses["200"].content["application/json"].schema).properties,
    ).toHaveProperty("schedule");
  });
});

describe("methods", () => {
  it.each([
    ["PUT", "/agreements"],
    ["DELETE", "/products/CL1.0"],
  ])("answers %s %s with a 405 in the error shape", async (method, path) => {
    const r = await call(pe.url, method, path);
    expect(r.status).toBe(405);
    expect(r.body.error.code).toBe("METHOD_NOT_ALLOWED");
  });
});

describe("afterCommit", () => {
  it("a throwing wake does not turn a committed agreement into a 500", async () => {
    const other = await startTestPe(
      {},
      {
        afterCommit: () => {
          throw new Error("relay is down");
        },
      },
    );
    try {
      const r = await call(other.url, "POST", "/agreements", application());
      expect(r.status).toBe(201);
      expect((await counts(other)).agreements).toBe(1);
    } finally {
      await other.stop();
    }
  });
});
