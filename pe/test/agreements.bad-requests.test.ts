import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { application, type Counts, call, counts, newPassport, startTestPe, type TestPe } from "./helpers.ts";

let pe: TestPe;
let knownPassport: string;
const usedKey = `used-${newPassport()}`;
let baseline: Counts;

beforeAll(async () => {
  pe = await startTestPe();
  knownPassport = newPassport();
  const first = await call(pe.url, "POST", "/agreements", application({ client: { passportNumber: knownPassport } }), {
    "Idempotency-Key": usedKey,
  });
  expect(first.status).toBe(201);
  baseline = await counts(pe);
});
afterAll(() => pe?.stop());

type Body = Record<string, unknown>;
interface Case {
  name: string;
  /** The body as an object (sent as JSON), as raw text, or made from the example request. */
  body: unknown;
  raw?: boolean;
  headers?: Record<string, string>;
  status: number;
  code: string;
  /** Every path the details must list (and no others); omitted where the problem is the body as a whole. */
  paths?: string[];
}

const withClient = (client: Body, rest: Body = {}) => application({ client, ...rest });
const without = (key: string, from: Body = application()): Body => {
  const copy = { ...from };
  delete copy[key];
  return copy;
};
const withoutClient = (...keys: string[]): Body => {
  const a = application();
  const client: Body = { ...a.client };
  for (const k of keys) delete client[k];
  return { ...a, client };
};
const deep = (depth: number): unknown => (depth === 0 ? 1 : { a: deep(depth - 1) });

const invalid = (name: string, body: unknown, ...paths: string[]): Case => ({
  name,
  body,
  status: 400,
  code: "VALIDATION_FAILED",
  paths,
});
const outOfBounds = (name: string, body: unknown, ...paths: string[]): Case => ({
  name,
  body,
  status: 422,
  code: "OUT_OF_BOUNDS",
  paths,
});
const raw = (name: string, text: string, status: number, code: string, paths?: string[]): Case => ({
  name,
  body: text,
  raw: true,
  status,
  code,
  paths,
});

const CASES: Case[] = [
  // the body as a whole
  raw("broken JSON", '{"productCode": "CL1.0",', 400, "MALFORMED_JSON"),
  {
    ...raw("wrong content type", "productCode=CL1.0", 415, "UNSUPPORTED_MEDIA_TYPE"),
    headers: { "content-type": "text/plain" },
  },
  invalid("no body", undefined, ""),
  invalid("a JSON array", [], ""),
  raw("a JSON string", '"hello"', 400, "VALIDATION_FAILED", [""]),
  raw("JSON null", "null", 400, "VALIDATION_FAILED", [""]),
  {
    name: "a 1 MB string in a name",
    body: withClient({ firstName: "A".repeat(1 << 20) }),
    status: 413,
    code: "PAYLOAD_TOO_LARGE",
  },
  { name: "nested 20 deep", body: { ...application(), extra: deep(20) }, status: 400, code: "VALIDATION_FAILED" },
  // missing fields
  invalid("missing productCode", without("productCode"), "productCode"),
  invalid("missing client", without("client"), "client"),
  invalid("an empty object", {}, "productCode", "client", "disbursementAmount", "termMonths", "interestRate"),
  invalid(
    "client without name, birth date and passport",
    withoutClient("firstName", "birthDate", "passportNumber"),
    "client.firstName",
    "client.birthDate",
    "client.passportNumber",
  ),
  // wrong types
  invalid("termMonths as a string", application({ termMonths: "12" }), "termMonths"),
  invalid("disbursementAmount a boolean", application({ disbursementAmount: true }), "disbursementAmount"),
  invalid("client a string", { ...application(), client: "Ivan" }, "client"),
  invalid("interestRate null", application({ interestRate: null }), "interestRate"),
  invalid("productCode a number", application({ productCode: 42 }), "productCode"),
  // decimals
  invalid("three decimals in a string", application({ disbursementAmount: "300000.001" }), "disbursementAmount"),
  invalid("three decimals in a number", application({ disbursementAmount: 300000.001 }), "disbursementAmount"),
  invalid("five decimals in a rate", application({ interestRate: "12.12345" }), "interestRate"),
  invalid("exponent notation", withClient({ monthlyIncome: "1e5" }), "client.monthlyIncome"),
  invalid("a thousands separator", application({ disbursementAmount: "300,000.00" }), "disbursementAmount"),
  // negative and huge
  invalid("a negative amount", application({ disbursementAmount: "-1.00" }), "disbursementAmount"),
  invalid("a zero amount", application({ disbursementAmount: 0 }), "disbursementAmount"),
  invalid("a negative income", withClient({ monthlyIncome: -5 }), "client.monthlyIncome"),
  invalid("a huge amount", application({ disbursementAmount: "99999999999999.99" }), "disbursementAmount"),
  invalid("1e21 as a number", application({ disbursementAmount: 1e21 }), "disbursementAmount"),
  invalid("a fractional term", application({ termMonths: 12.5 }), "termMonths"),
  invalid("a negative term", application({ termMonths: -3 }), "termMonths"),
  invalid("a huge term", application({ termMonths: 100000 }), "termMonths"),
  invalid("a rate above 1000", application({ interestRate: "1000.0001" }), "interestRate"),
  invalid("a negative fee", application({ originationFee: "-0.01" }), "originationFee"),
  // dates
  invalid("2023-02-30", withClient({ birthDate: "2023-02-30" }), "client.birthDate"),
  invalid("a date as DD.MM.YYYY", withClient({ birthDate: "17.05.1990" }), "client.birthDate"),
  invalid("a birth date in the future", withClient({ birthDate: "2999-01-01" }), "client.birthDate"),
  invalid("a birth date before 1900", withClient({ birthDate: "1850-01-01" }), "client.birthDate"),
  // names: letters with single spaces, hyphens or apostrophes between them
  invalid("SQL in a name", withClient({ firstName: "Robert'); DROP TABLE clients;--" }), "client.firstName"),
  invalid("HTML in a name", withClient({ lastName: "<script>alert(1)</script>" }), "client.lastName"),
  invalid("an empty name", withClient({ firstName: "" }), "client.firstName"),
  invalid("a 101-character name", withClient({ firstName: "A".repeat(101) }), "client.firstName"),
  invalid("a digit in a name", withClient({ firstName: "Ivan2" }), "client.firstName"),
  invalid("a middle name of spaces", withClient({ middleName: "   " }), "client.middleName"),
  invalid("a doubled hyphen", withClient({ lastName: "Petrov--Vodkin" }), "client.lastName"),
  // passport, email, phone
  invalid("a short passport", withClient({ passportNumber: "12345" }), "client.passportNumber"),
  invalid("a Cyrillic letter in a passport", withClient({ passportNumber: "4510 12345Ж" }), "client.passportNumber"),
  invalid("a passport as a number", withClient({ passportNumber: 4510123456 }), "client.passportNumber"),
  invalid("not an email", withClient({ email: "not-an-email" }), "client.email"),
  invalid("a phone without +", withClient({ phone: "89161234567" }), "client.phone"),
  invalid("a phone with spaces", withClient({ phone: "+7 916 123 45 67" }), "client.phone"),
  // unknown fields
  invalid("an unknown top-level field", application({ principal: "1.00" }), "principal"),
  invalid("an unknown client field", withClient({ nickname: "Vanya" }), "client.nickname"),
  // the product and its bounds
  {
    name: "an unknown product",
    body: application({ productCode: "XX9" }),
    status: 422,
    code: "UNKNOWN_PRODUCT",
    paths: ["productCode"],
  },
  invalid("a malformed product code", application({ productCode: "CL 1.0" }), "productCode"),
  outOfBounds("a term below the product's", application({ termMonths: 2 }), "termMonths"),
  outOfBounds("a term above the product's", application({ termMonths: 25 }), "termMonths"),
  outOfBounds(
    "principal below (45 000 = 40 000 + 5 000)",
    application({ disbursementAmount: "40000.00" }),
    "principal",
  ),
  outOfBounds(
    "principal above only through the fee (496 000 + 5 000)",
    application({ disbursementAmount: "496000.00" }),
    "principal",
  ),
  outOfBounds("a rate below", application({ interestRate: "7.9999" }), "interestRate"),
  outOfBounds("a rate above", application({ interestRate: "15.0001" }), "interestRate"),
  outOfBounds("a fee below", application({ originationFee: "1999.99" }), "originationFee"),
  outOfBounds("a fee above", application({ originationFee: "10000.01" }), "originationFee"),
  outOfBounds(
    "every bound broken at once",
    application({ termMonths: 2, disbursementAmount: "600000.00", interestRate: "20", originationFee: "1.00" }),
    "termMonths",
    "principal",
    "interestRate",
    "originationFee",
  ),
  // conflicts (the body of the first is made in the test: it needs the passport on record)
  {
    name: "a known passport with another name",
    body: null,
    status: 409,
    code: "CLIENT_MISMATCH",
    paths: ["client.firstName"],
  },
  {
    name: "a used Idempotency-Key with another body",
    body: application({ termMonths: 6 }),
    headers: { "Idempotency-Key": usedKey },
    status: 422,
    code: "IDEMPOTENCY_KEY_REUSED",
    paths: ["Idempotency-Key"],
  },
  // several problems at once
  {
    ...invalid(
      "a bad Idempotency-Key and a bad field",
      application({ termMonths: "x" }),
      "Idempotency-Key",
      "termMonths",
    ),
    headers: { "Idempotency-Key": "k".repeat(256) },
  },
  invalid(
    "many problems, all listed",
    {
      productCode: "",
      client: {
        firstName: "<b>",
        lastName: 7,
        birthDate: "2023-02-30",
        passportNumber: "x",
        email: "@",
        phone: "123",
        monthlyIncome: "1.234",
        extra: 1,
      },
      disbursementAmount: "-5",
      termMonths: 1.5,
      interestRate: "abc",
      originationFee: "1.001",
      unknown: true,
    },
    ...["productCode", "disbursementAmount", "termMonths", "interestRate", "originationFee", "unknown"],
    ...["firstName", "lastName", "birthDate", "passportNumber", "email", "phone", "monthlyIncome", "extra"].map(
      (f) => `client.${f}`,
    ),
  ),
];

describe("POST /agreements refuses bad requests, lists every problem and writes nothing", () => {
  it("has at least 40 cases", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(CASES)("$name → $status $code", async (c) => {
    const body =
      c.code === "CLIENT_MISMATCH" ? withClient({ passportNumber: knownPassport, firstName: "Pyotr" }) : c.body;
    const r = await call(pe.url, "POST", "/agreements", body, c.headers);
    expect(r.status, JSON.stringify(r.body)?.slice(0, 2000)).toBe(c.status);
    expect(r.body.error).toMatchObject({ code: c.code, message: expect.any(String), details: expect.any(Array) });
    if (c.paths) {
      const paths = [...new Set(r.body.error.details.map((d: { path: string }) => d.path))].sort();
      expect(paths).toEqual([...c.paths].sort());
      for (const d of r.body.error.details) expect(d.message).toEqual(expect.any(String));
    }
    expect(await counts(pe)).toEqual(baseline);
  });
});
