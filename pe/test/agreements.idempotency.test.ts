import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { application, call, counts, inParallel, newPassport, startTestPe, type TestPe } from "./helpers.ts";

let pe: TestPe;
beforeAll(async () => {
  pe = await startTestPe();
});
afterAll(() => pe?.stop());

const post = (body: unknown, key?: string) =>
  call(pe.url, "POST", "/agreements", body, key ? { "Idempotency-Key": key } : {});
const newKey = () => `key-${newPassport()}-${newPassport()}`;

describe("Idempotency-Key", () => {
  it("the same key with the same body answers the same agreement: 200 and Idempotent-Replayed", async () => {
    const key = newKey();
    const body = application();
    const first = await post(body, key);
    expect(first.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const before = await counts(pe);
    const again = await post(body, key);
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.headers.get("location")).toBe(`/agreements/${first.body.id}`);
    expect(again.body).toEqual(first.body);
    expect(await counts(pe)).toEqual(before);
  });

  it("the same request written differently (numbers for strings, a spaced passport) is the same body", async () => {
    const key = newKey();
    const body = application();
    const first = await post(body, key);
    const p = body.client.passportNumber;
    const reworded = {
      ...body,
      disbursementAmount: 300000,
      interestRate: "12.50",
      client: { ...body.client, passportNumber: `${p.slice(0, 4)} ${p.slice(4)}`, monthlyIncome: 150000 },
    };
    const again = await post(reworded, key);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
  });

  it("the same key with another body is a 409 and writes nothing", async () => {
    const key = newKey();
    const body = application();
    expect((await post(body, key)).status).toBe(201);
    const before = await counts(pe);
    const r = await post({ ...body, termMonths: 6 }, key);
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(await counts(pe)).toEqual(before);
  });

  it("a key whose request was refused stays free: nothing was stored under it", async () => {
    const key = newKey();
    expect((await post(application({ termMonths: 2 }), key)).status).toBe(422);
    expect((await post(application(), key)).status).toBe(201);
  });

  it("without a key, two identical requests are two applications", async () => {
    const body = application();
    const a = await post(body);
    const b = await post(body);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.id).not.toBe(b.body.id);
    expect(a.body.clientId).toBe(b.body.clientId);
  });

  it("twenty concurrent requests with one key create one agreement; the others replay it", async () => {
    const key = newKey();
    const body = application();
    const before = await counts(pe);
    const replies = await inParallel(20, 20, () => post(body, key));
    const ids = new Set(replies.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
    expect(replies.filter((r) => r.status === 200 && r.headers.get("idempotent-replayed") === "true")).toHaveLength(19);
    const after = await counts(pe);
    expect(after.agreements - before.agreements).toBe(1);
    expect(after.outbox - before.outbox).toBe(1);
    expect(after.schedule_payments - before.schedule_payments).toBe(12);
  });

  it("concurrent requests with one key and different bodies: one wins, the rest replay it or get 409", async () => {
    const key = newKey();
    const passport = newPassport();
    const before = await counts(pe);
    const replies = await inParallel(10, 10, (i) =>
      post(application({ client: { passportNumber: passport }, termMonths: 3 + (i % 2) }), key),
    );
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
    const winner = replies.find((r) => r.status === 201)!;
    for (const r of replies) {
      if (r.status === 200) expect(r.body.id).toBe(winner.body.id);
      else if (r.status === 409) expect(r.body.error.code).toBe("IDEMPOTENCY_KEY_REUSED");
      else expect(r.status).toBe(201);
    }
    expect((await counts(pe)).agreements - before.agreements).toBe(1);
  });

  it("refuses a malformed key with a 400", async () => {
    for (const key of ["k".repeat(201), "two words"]) {
      const r = await post(application(), key);
      expect(r.status, key).toBe(400);
      expect(r.body.error.details.map((d: { path: string }) => d.path)).toEqual(["Idempotency-Key"]);
    }
  });
});
