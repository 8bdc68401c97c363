import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeCursor } from "../src/agreements/agreements.cursor.ts";
import { application, call, newPassport, startTestPe, type TestPe } from "./helpers.ts";

let pe: TestPe;
const mine: string[] = [];
let clientA = "";
let clientB = "";

beforeAll(async () => {
  pe = await startTestPe();
  const [pa, pb] = [newPassport(), newPassport()];
  for (let i = 0; i < 7; i++) {
    const r = await call(pe.url, "POST", "/agreements", application({ client: { passportNumber: i < 4 ? pa : pb } }));
    expect(r.status).toBe(201);
    mine.push(r.body.id);
    if (i === 0) clientA = r.body.clientId;
    if (i === 4) clientB = r.body.clientId;
  }
  // Three of them share one instant to the microsecond, and two differ by a single microsecond: the
  // keyset must order by id within a tie and must not round microseconds away.
  await sql`update agreements set created_at = '2024-05-01T10:00:00.123456Z' where id = any(${mine.slice(0, 3)}::uuid[])`.execute(
    pe.db,
  );
  await sql`update agreements set created_at = '2024-05-01T10:00:00.123457Z' where id = ${mine[3]}::uuid`.execute(
    pe.db,
  );
  await sql`update agreements set status = 'APPROVED' where id = any(${mine.slice(5)}::uuid[])`.execute(pe.db);
});
afterAll(() => pe?.stop());

const list = (query: string) => call(pe.url, "GET", `/agreements${query}`);

async function all(query: string, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const r = await list(`?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.items.length).toBeLessThanOrEqual(limit);
    ids.push(...r.body.items.map((i: { id: string }) => i.id));
    cursor = r.body.nextCursor;
    if (!cursor) return ids;
  }
  throw new Error("pagination did not end");
}

async function expectedOrder(where = sql`true`): Promise<string[]> {
  const { rows } = await sql<{
    id: string;
  }>`select id from agreements where ${where} order by created_at desc, id desc`.execute(pe.db);
  return rows.map((r) => r.id);
}

describe("GET /agreements", () => {
  it.each([1, 2, 3, 100])(
    "pages through everything, newest first, without gaps or repeats (limit %i)",
    async (limit) => {
      expect(await all("", limit)).toEqual(await expectedOrder());
    },
  );

  it("filters by client and by status, and pages within the filter", async () => {
    expect(await all(`clientId=${clientA}`, 2)).toEqual(await expectedOrder(sql`client_id = ${clientA}::uuid`));
    expect(await all(`clientId=${clientB}&status=APPROVED`, 1)).toEqual(
      await expectedOrder(sql`client_id = ${clientB}::uuid and status = 'APPROVED'`),
    );
    expect((await all("status=REJECTED", 5)).length).toBe(0);
  });

  it("finds a client's agreements by the last digits of the passport, as the logs mask it", async () => {
    const { rows } = await sql<{ passport_number: string }>`
      select passport_number from clients where id = ${clientB}::uuid`.execute(pe.db);
    const last4 = rows[0]!.passport_number.slice(-4);
    const { rows: same } = await sql<{ id: string }>`
      select a.id from agreements a join clients c on c.id = a.client_id
      where c.passport_number like ${`%${last4}`} order by a.created_at desc, a.id desc`.execute(pe.db);
    expect(same.map((r) => r.id)).toEqual(expect.arrayContaining(mine.slice(4)));
    expect(await all(`passportEndsWith=${last4}`, 2)).toEqual(same.map((r) => r.id));
    const bad = await list("?passportEndsWith=1a");
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe("passportEndsWith");
  });

  it("lists agreements without their schedules, with a null nextCursor on the last page", async () => {
    const r = await list(`?clientId=${clientB}`);
    expect(r.body.nextCursor).toBeNull();
    expect(r.body.items).toHaveLength(3);
    expect(r.body.items[0]).not.toHaveProperty("schedule");
    expect(r.body.items[0]).toMatchObject({ clientId: clientB, principal: "305000.00", decision: null });
  });

  it("defaults to 20 a page", async () => {
    const { rows } = await sql<{ id: string }>`select id from agreements limit 1`.execute(pe.db);
    await sql`insert into agreements (client_id, product_code, disbursement_amount, origination_fee, principal,
                term_months, interest_rate, monthly_payment)
              select client_id, product_code, disbursement_amount, origination_fee, principal, term_months,
                interest_rate, monthly_payment from agreements, generate_series(1, 20) where id = ${rows[0]!.id}::uuid`.execute(
      pe.db,
    );
    const r = await list("");
    expect(r.body.items).toHaveLength(20);
    expect(r.body.nextCursor).toEqual(expect.any(String));
  });

  it.each([
    ["cursor=garbage", "cursor"],
    ["cursor=%21%21", "cursor"],
    [
      `cursor=${Buffer.from('["2024-02-30T00:00:00.000000Z","00000000-0000-4000-8000-000000000000"]').toString("base64url")}`,
      "cursor",
    ],
    [`cursor=${Buffer.from('["2024-01-01T00:00:00.000000Z","x"]').toString("base64url")}`, "cursor"],
    [`cursor=${Buffer.from('{"at":1}').toString("base64url")}`, "cursor"],
    ["limit=0", "limit"],
    ["limit=101", "limit"],
    ["limit=abc", "limit"],
    ["limit=-1", "limit"],
    ["status=DONE", "status"],
    ["clientId=nope", "clientId"],
    ["status=NEW&status=APPROVED", "status"],
    ["sort=asc", "sort"],
  ])("refuses %s with a 400 naming %s", async (query, path) => {
    const r = await list(`?${query}`);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("VALIDATION_FAILED");
    expect(r.body.error.details.map((d: { path: string }) => d.path)).toEqual([path]);
  });

  it("takes a well-formed cursor for a row that no longer exists", async () => {
    const cursor = encodeCursor({ at: "2030-01-01T00:00:00.000000Z", id: "00000000-0000-4000-8000-000000000000" });
    const r = await list(`?cursor=${cursor}&limit=100`);
    expect(r.status).toBe(200);
    expect(r.body.items.map((i: { id: string }) => i.id)).toEqual(await expectedOrder());
  });
});

describe("GET /agreements/counts", () => {
  it("counts every status, 0 where none, as the table holds them", async () => {
    const r = await call(pe.url, "GET", "/agreements/counts");
    expect(r.status).toBe(200);
    const { rows } = await sql<{ status: string; n: number }>`
      select status, count(*)::int as n from agreements group by status`.execute(pe.db);
    expect(Object.keys(r.body.counts)).toHaveLength(9);
    for (const [status, n] of Object.entries(r.body.counts))
      expect(n, status).toBe(rows.find((x) => x.status === status)?.n ?? 0);
    expect(r.body.counts.APPROVED).toBeGreaterThanOrEqual(2);
    expect(r.body.counts.CLOSED).toBe(0);
  });
});
