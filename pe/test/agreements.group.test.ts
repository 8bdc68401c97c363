import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { application, call, counts, newPassport, type Reply, startTestPe, type TestPe } from "./helpers.ts";

// Group commits of POST /agreements (create-group.ts): concurrent requests without an Idempotency-Key
// share a transaction, and each is answered as it would be alone.

let pe: TestPe;
let wakes = 0;
beforeAll(async () => {
  pe = await startTestPe({}, { afterCommit: () => wakes++ });
});
afterAll(() => pe?.stop());

const post = (body: unknown, headers?: Record<string, string>) => call(pe.url, "POST", "/agreements", body, headers);

/** The group figures PE exports: groups committed, agreements in them, groups rolled back. */
async function groupFigures() {
  const text = (await call(pe.url, "GET", "/metrics")).body as string;
  const read = (name: string) => Number(text.match(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, "m"))?.[1] ?? NaN);
  return {
    groups: read("pe_agreement_group_size_count"),
    agreements: read("pe_agreement_group_size_sum"),
    rolledBack: read("pe_agreement_groups_rolled_back_total"),
  };
}

const delta = (a: Awaited<ReturnType<typeof groupFigures>>, b: typeof a) => ({
  groups: b.groups - a.groups,
  agreements: b.agreements - a.agreements,
  rolledBack: b.rolledBack - a.rolledBack,
});

/** Everything a 201 promises is in the database: the agreement, its NEW row, its schedule, one message. */
async function expectWritten(r: Reply, requestId: string) {
  const a = r.body;
  expect(r.headers.get("location")).toBe(`/agreements/${a.id}`);
  expect(a).toMatchObject({ status: "NEW", statusHistory: [{ status: "NEW", at: a.createdAt }], decision: null });
  // Answered as GET /agreements/{id} reads it, as a creation alone is.
  expect((await call(pe.url, "GET", `/agreements/${a.id}`)).body).toEqual(a);
  const { rows } = await sql<{ history: number; schedule: number; topic: string; requestId: string; payload: unknown }>`
    select (select count(*)::int from agreement_status_history h where h.agreement_id = a.id and h.status = 'NEW') as history,
           (select count(*)::int from schedule_payments s where s.agreement_id = a.id) as schedule,
           o.topic, o.request_id as "requestId", o.payload
    from agreements a join outbox o on o.aggregate_id = a.id::text
    where a.id = ${a.id}::uuid`.execute(pe.db);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ history: 1, schedule: a.termMonths, topic: "agreement.created", requestId });
  expect(rows[0]!.payload).toMatchObject({ agreementId: a.id, clientId: a.clientId, applicationDate: a.businessDate });
}

describe("concurrent POST /agreements without a key", () => {
  it("twenty at once, with repeated passports, a CLIENT_MISMATCH and an OUT_OF_BOUNDS: each answered as alone", async () => {
    const known = newPassport();
    expect((await post(application({ client: { passportNumber: known } }))).status).toBe(201);
    const twice = newPassport();
    const bodies = Array.from({ length: 20 }, (_, i) =>
      application({ client: { passportNumber: newPassport(), email: `g${i}@example.com` }, termMonths: 3 + i }),
    );
    // The same client three times, a new one twice, each with new contact details.
    for (const i of [0, 1, 2]) bodies[i]!.client.passportNumber = known;
    for (const i of [3, 4]) bodies[i]!.client.passportNumber = twice;
    const MISMATCH = 5;
    const OUT_OF_BOUNDS = 6;
    bodies[MISMATCH] = application({
      client: { passportNumber: known, lastName: "Sidorov", email: "mismatch@example.com" },
    });
    bodies[OUT_OF_BOUNDS] = application({ termMonths: 30 });
    const before = await counts(pe);

    const replies = await Promise.all(bodies.map((b, i) => post(b, { "x-request-id": `group-${i}` })));

    // The refused ones answer exactly what they answer alone.
    expect(replies[MISMATCH]!.status).toBe(409);
    expect(replies[MISMATCH]!.body).toEqual((await post(bodies[MISMATCH])).body);
    expect(replies[MISMATCH]!.body.error.details).toEqual([
      { path: "client.lastName", message: "differs from the client on record with this passport" },
    ]);
    expect(replies[OUT_OF_BOUNDS]!.status).toBe(422);
    expect(replies[OUT_OF_BOUNDS]!.body).toEqual((await post(bodies[OUT_OF_BOUNDS])).body);

    const accepted = replies.filter((_, i) => i !== MISMATCH && i !== OUT_OF_BOUNDS);
    expect(
      accepted.map((r) => r.status),
      JSON.stringify(accepted.find((r) => r.status !== 201)?.body),
    ).toEqual(Array(18).fill(201));
    expect(new Set(accepted.map((r) => r.body.id)).size).toBe(18);
    for (const [i, r] of replies.entries()) {
      if (i === MISMATCH || i === OUT_OF_BOUNDS) continue;
      expect(r.body).toMatchObject({ termMonths: bodies[i]!.termMonths, principal: "305000.00" });
      await expectWritten(r, `group-${i}`);
    }
    // One client per passport.
    expect(new Set([0, 1, 2].map((i) => replies[i]!.body.clientId)).size).toBe(1);
    expect(replies[3]!.body.clientId).toBe(replies[4]!.body.clientId);
    expect(replies[0]!.body.clientId).not.toBe(replies[3]!.body.clientId);

    // The mismatching request wrote nothing, not even the contact details it brought.
    const after = await counts(pe);
    expect(after.agreements - before.agreements).toBe(18);
    expect(after.agreement_status_history - before.agreement_status_history).toBe(18);
    expect(after.outbox - before.outbox).toBe(18);
    expect(after.clients - before.clients).toBe(1 + 13);
    const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
    expect(after.schedule_payments - before.schedule_payments).toBe(sum(accepted.map((r) => r.body.termMonths)));
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from clients where email = 'mismatch@example.com'`.execute(pe.db);
    expect(rows[0]!.n).toBe(0);
  });

  it("twenty at once commit in fewer than twenty transactions, one wake each", async () => {
    const before = await groupFigures();
    const wakesBefore = wakes;
    const replies = await Promise.all(Array.from({ length: 20 }, () => post(application())));
    expect(replies.map((r) => r.status)).toEqual(Array(20).fill(201));
    const d = delta(before, await groupFigures());
    expect(d.rolledBack).toBe(0);
    expect(d.agreements).toBe(20);
    expect(d.groups).toBeLessThan(20);
    expect(wakes - wakesBefore).toBe(d.groups);
    // The database says so too: an agreement is created at its transaction's start, shared in a group.
    const ids = replies.map((r) => r.body.id as string);
    const { rows } = await sql<{ n: number }>`
      select count(distinct created_at)::int as n from agreements where id = any(${ids}::uuid[])`.execute(pe.db);
    expect(rows[0]!.n).toBe(d.groups);
    expect(rows[0]!.n).toBeLessThan(20);
  });

  it("a group that fails before its commit is rolled back; its requests, opened alone, answer as they would", async () => {
    // An agreement of this amount fails in the database, in a group or alone.
    await sql`
      create function fail_marked_agreement() returns trigger language plpgsql as $$
      begin
        if new.disbursement_amount = 123456.78 then raise exception 'marked to fail'; end if;
        return new;
      end $$`.execute(pe.db);
    await sql`create trigger fail_marked_agreement before insert on agreements
              for each row execute function fail_marked_agreement()`.execute(pe.db);
    try {
      // Holding the row of a client keeps a first group waiting on it, so everything sent meanwhile
      // forms the next group together, the marked request among the others.
      const held = newPassport();
      expect((await post(application({ client: { passportNumber: held } }))).status).toBe(201);
      const before = await groupFigures();
      const counted = await counts(pe);
      const bodies = Array.from({ length: 19 }, (_, i) =>
        application(i === 7 ? { disbursementAmount: "123456.78" } : { termMonths: 6 }),
      );
      let first!: Promise<Reply>;
      let rest!: Promise<Reply[]>;
      await pe.db.transaction().execute(async (trx) => {
        await sql`select 1 from clients where passport_number = ${held} for update`.execute(trx);
        first = post(application({ client: { passportNumber: held } }));
        await new Promise((r) => setTimeout(r, 200));
        rest = Promise.all(bodies.map((b) => post(b)));
        await new Promise((r) => setTimeout(r, 500));
      });
      expect((await first).status).toBe(201);
      const replies = await rest;
      expect(replies[7]!.status).toBe(500);
      expect(replies[7]!.body).toEqual((await post(bodies[7])).body);
      const good = replies.filter((_, i) => i !== 7);
      expect(good.map((r) => r.status)).toEqual(Array(18).fill(201));
      for (const r of good) await expectWritten(r, r.headers.get("x-request-id")!);

      const d = delta(before, await groupFigures());
      expect(d.rolledBack).toBe(1);
      // Some of the good ones were opened alone: they had shared the failing group.
      expect(d.agreements).toBeLessThan(1 + 18);
      const after = await counts(pe);
      expect(after.agreements - counted.agreements).toBe(1 + 18);
      expect(after.outbox - counted.outbox).toBe(1 + 18);
      // The marked request's client was taken back with it.
      expect(after.clients - counted.clients).toBe(18);
    } finally {
      await sql`drop trigger fail_marked_agreement on agreements`.execute(pe.db);
      await sql`drop function fail_marked_agreement()`.execute(pe.db);
    }
  });
});
