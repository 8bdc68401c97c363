import { sql } from "kysely";
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
const keyRows = async (key: string) =>
  (await sql<{ n: number }>`select count(*)::int as n from idempotency_keys where key = ${key}`.execute(pe.db)).rows[0]!
    .n;

describe("Idempotency-Key", () => {
  it("the same key with the same body answers what the first answered: 201, the same body, Idempotent-Replayed", async () => {
    const key = newKey();
    const body = application();
    const first = await post(body, key);
    expect(first.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const before = await counts(pe);
    const again = await post(body, key);
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.headers.get("location")).toBe(`/agreements/${first.body.id}`);
    expect(again.body).toEqual(first.body);
    expect(JSON.stringify(again.body)).toBe(JSON.stringify(first.body));
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
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body.id).toBe(first.body.id);
  });

  it("the same key with another body is a 422 and writes nothing", async () => {
    const key = newKey();
    const body = application();
    expect((await post(body, key)).status).toBe(201);
    const before = await counts(pe);
    const r = await post({ ...body, termMonths: 6 }, key);
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(await counts(pe)).toEqual(before);
  });

  it("a key whose request was refused stays free: nothing was stored under it", async () => {
    const key = newKey();
    expect((await post(application({ termMonths: 2 }), key)).status).toBe(422);
    expect((await post(application({ termMonths: "twelve" }), key)).status).toBe(400);
    expect((await post(application({ productCode: "NOPE" }), key)).status).toBe(422);
    expect(await keyRows(key)).toBe(0);
    const corrected = await post(application(), key);
    expect(corrected.status).toBe(201);
    expect(corrected.headers.get("idempotent-replayed")).toBeNull();
    expect(await keyRows(key)).toBe(1);
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
    expect(replies.filter((r) => r.status === 201 && !r.headers.get("idempotent-replayed"))).toHaveLength(1);
    expect(replies.filter((r) => r.status === 201 && r.headers.get("idempotent-replayed") === "true")).toHaveLength(19);
    const after = await counts(pe);
    expect(after.agreements - before.agreements).toBe(1);
    expect(after.outbox - before.outbox).toBe(1);
    expect(after.schedule_payments - before.schedule_payments).toBe(12);
  });

  it("concurrent requests with one key and different bodies: one wins, the rest replay it or get 422", async () => {
    const key = newKey();
    const passport = newPassport();
    const before = await counts(pe);
    const replies = await inParallel(10, 10, (i) =>
      post(application({ client: { passportNumber: passport }, termMonths: 3 + (i % 2) }), key),
    );
    const fresh = replies.filter((r) => r.status === 201 && !r.headers.get("idempotent-replayed"));
    expect(fresh).toHaveLength(1);
    const winner = fresh[0]!;
    for (const r of replies) {
      if (r.status === 201) expect(r.body.id).toBe(winner.body.id);
      else {
        expect(r.status).toBe(422);
        expect(r.body.error.code).toBe("IDEMPOTENCY_KEY_REUSED");
      }
    }
    expect((await counts(pe)).agreements - before.agreements).toBe(1);
  });

  it("refuses a malformed key with a 400", async () => {
    for (const key of ["k".repeat(256), "two words"]) {
      const r = await post(application(), key);
      expect(r.status, key).toBe(400);
      expect(r.body.error.details.map((d: { path: string }) => d.path)).toEqual(["Idempotency-Key"]);
    }
  });

  it("stores the key's caller as a hash, never the raw key, and keeps no raw key on the agreement", async () => {
    const key = newKey();
    const first = await post(application(), key);
    const { rows } = await sql<{ scope: string; status: number; resource_id: string }>`
      select scope, status, resource_id from idempotency_keys where key = ${key}`.execute(pe.db);
    // No API keys configured here: one scope for everyone.
    expect(rows).toEqual([{ scope: "", status: 201, resource_id: first.body.id }]);
    const agreement = await sql<{ idempotency_key: string | null }>`
      select idempotency_key from agreements where id = ${first.body.id}`.execute(pe.db);
    expect(agreement.rows[0]!.idempotency_key).toBeNull();
  });

  it("replays a key carried over from before (scope '*', no stored body) with the agreement as it reads now", async () => {
    const key = newKey();
    const body = application();
    const first = await post(body, key);
    // As 0004 carries a key kept on the agreements table over: any caller, only the agreement's id.
    await sql`update idempotency_keys set scope = '*', response_body = null where key = ${key}`.execute(pe.db);
    const again = await post(body, key);
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.headers.get("location")).toBe(`/agreements/${first.body.id}`);
    expect(again.body.id).toBe(first.body.id);
  });
});

describe("Idempotency-Key with API keys: scoped to the caller", () => {
  let keyed: TestPe;
  beforeAll(async () => {
    keyed = await startTestPe({ API_KEYS: "caller-one-key-1234,caller-two-key-5678" });
  });
  afterAll(() => keyed?.stop());

  const postAs = (apiKey: string, body: unknown, key: string) =>
    call(keyed.url, "POST", "/agreements", body, { "Idempotency-Key": key, authorization: `Bearer ${apiKey}` });

  it("the same key from two callers makes two agreements; each caller's repeat replays its own", async () => {
    const key = newKey();
    const body = application();
    const one = await postAs("caller-one-key-1234", body, key);
    const two = await postAs("caller-two-key-5678", body, key);
    expect([one.status, two.status]).toEqual([201, 201]);
    expect(two.headers.get("idempotent-replayed")).toBeNull();
    expect(two.body.id).not.toBe(one.body.id);
    const oneAgain = await postAs("caller-one-key-1234", body, key);
    expect(oneAgain.headers.get("idempotent-replayed")).toBe("true");
    expect(oneAgain.body.id).toBe(one.body.id);
    // Another body under the key is refused for the caller who used it, and free for a third scope's use.
    expect((await postAs("caller-two-key-5678", { ...body, termMonths: 6 }, key)).status).toBe(422);
    const { rows } = await sql<{ scope: string }>`
      select scope from idempotency_keys where key = ${key} order by scope`.execute(keyed.db);
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(r.scope).toMatch(/^[0-9a-f]{64}$/);
      expect(r.scope).not.toContain("caller");
    }
  });
});
