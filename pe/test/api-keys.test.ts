import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { application, call, counts, startTestPe, type TestPe } from "./helpers.ts";

const KEY = "client-key-0123456789";
const OTHER = "other-key-0123456789";
const ADMIN = "admin-token-0123456789";
let pe: TestPe;

beforeAll(async () => {
  pe = await startTestPe({ API_KEYS: `${KEY}, ${OTHER}`, ADMIN_TOKEN: ADMIN });
});
afterAll(async () => {
  await pe?.stop();
});

const bearer = (k: string) => ({ authorization: `Bearer ${k}` });

describe("API keys and the admin token", () => {
  it("refuses the public API without a key, or with a wrong one, and writes nothing", async () => {
    const before = await counts(pe);
    for (const headers of [{}, bearer("wrong-key-0123456789"), { authorization: KEY }]) {
      const r = await call(pe.url, "POST", "/agreements", application(), headers);
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe("UNAUTHORIZED");
      expect((await call(pe.url, "GET", "/products", undefined, headers)).status).toBe(401);
    }
    expect(await counts(pe)).toEqual(before);
  });

  it("accepts every configured key, and the admin token wherever a key is accepted", async () => {
    for (const k of [KEY, OTHER, ADMIN]) {
      expect((await call(pe.url, "POST", "/agreements", application(), bearer(k))).status).toBe(201);
    }
  });

  it("guards the terms sheet as it guards the agreement it prints", async () => {
    const created = await call(pe.url, "POST", "/agreements", application(), bearer(KEY));
    const path = `/agreements/${created.body.id}/terms`;
    expect((await call(pe.url, "GET", path)).status).toBe(401);
    expect((await call(pe.url, "GET", path, undefined, bearer("wrong-key-0123456789"))).status).toBe(401);
    const r = await call(pe.url, "GET", path, undefined, bearer(OTHER));
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toContain("text/html");
  });

  it("keeps health, readiness and the API description open", async () => {
    for (const path of ["/health", "/ready", "/openapi.json"])
      expect((await call(pe.url, "GET", path)).status).toBe(200);
  });

  it("lets only the admin token create a product", async () => {
    const product = {
      code: `K${Date.now() % 1_000_000}`,
      name: "Keyed",
      minTermMonths: 3,
      maxTermMonths: 12,
      minPrincipal: "1000.00",
      maxPrincipal: "2000.00",
      minInterestRate: "5",
      maxInterestRate: "10",
      minOriginationFee: "0.00",
      maxOriginationFee: "100.00",
    };
    expect((await call(pe.url, "POST", "/products", product, bearer(KEY))).status).toBe(401);
    expect((await call(pe.url, "POST", "/products", product, bearer(ADMIN))).status).toBe(202);
  });
});
