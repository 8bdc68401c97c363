import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { application, call, counts, inParallel, newPassport, startTestPe, type TestPe } from "./helpers.ts";

let pe: TestPe;
beforeAll(async () => {
  pe = await startTestPe();
});
afterAll(() => pe?.stop());

describe("many agreements at once", () => {
  it("1 000 agreements for 100 clients, 50 in flight, leave 100 clients, 1 000 agreements and 1 000 outbox rows", async () => {
    const passports = Array.from({ length: 100 }, newPassport);
    const before = await counts(pe);
    // Client i % 100: each client's ten applications arrive interleaved with everyone else's.
    const replies = await inParallel(1000, 50, (i) =>
      call(
        pe.url,
        "POST",
        "/agreements",
        application({
          client: { passportNumber: passports[i % 100], email: `c${i % 100}.${i}@example.com` },
        }),
      ),
    );
    const statuses = replies.map((r) => r.status);
    expect(
      statuses.filter((s) => s !== 201),
      JSON.stringify(replies.find((r) => r.status !== 201)?.body),
    ).toEqual([]);
    const after = await counts(pe);
    expect(after.clients - before.clients).toBe(100);
    expect(after.agreements - before.agreements).toBe(1000);
    expect(after.outbox - before.outbox).toBe(1000);
    expect(after.schedule_payments - before.schedule_payments).toBe(12_000);
    expect(after.agreement_status_history - before.agreement_status_history).toBe(1000);

    const perClient = await sql<{ n: number }>`
      select count(*)::int as n from agreements a join clients c on c.id = a.client_id
      where c.passport_number = any(${passports}) group by c.id`.execute(pe.db);
    expect(perClient.rows).toHaveLength(100);
    expect(perClient.rows.every((r) => r.n === 10)).toBe(true);

    // Every message names the agreement it announces and that agreement's client.
    const mismatched = await sql<{ n: number }>`
      select count(*)::int as n from outbox o join agreements a on a.id::text = o.aggregate_id
      where o.payload->>'agreementId' <> a.id::text or o.payload->>'clientId' <> a.client_id::text`.execute(pe.db);
    expect(mismatched.rows[0]?.n).toBe(0);
  }, 180_000);
});
