import { createTestDatabase } from "@loans/db/testing";
import { ConfigError } from "@loans/shared";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { moveRefusal } from "../src/business-date/business-date.service.ts";
import { createBusinessClock } from "../src/business-date/clock.ts";
import { nextDay } from "../src/calendar.ts";
import { loadPeConfig } from "../src/config.ts";
import { startPe } from "../src/service.ts";
import { application, call, callInternal, startTestPe, type TestPe } from "./helpers.ts";

const ADMIN = "admin-token-for-the-business-date";
const admin = { authorization: `Bearer ${ADMIN}` };
const START = "2025-03-01";
const manualEnv = { BUSINESS_CLOCK: "manual", BUSINESS_DATE_START: START, ADMIN_TOKEN: ADMIN };

let seq = 9000;
const wire = (topic: string, agreementId: string, payload: Record<string, unknown>) => ({
  id: String(seq++),
  topic,
  aggregateId: agreementId,
  payload,
  createdAt: new Date().toISOString(),
});

/** A new agreement taken to ACTIVE through the same calls Origination and PG make; its id. */
async function active(url: string): Promise<string> {
  const created = await call(url, "POST", "/agreements", application());
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  const decision = { agreementId: id, result: "APPROVED", reasons: [], decidedAt: new Date().toISOString() };
  await callInternal(url, "/internal/decisions", { messages: [wire("application.decided", id, decision)] });
  const ordered = await call(url, "POST", `/agreements/${id}/disburse`, {
    destination: { accountNumber: "40817810000000000001" },
  });
  expect(ordered.status).toBe(202);
  const paid = wire("payout.settled", id, {
    payoutId: ordered.body.disbursement.id,
    kind: "DISBURSEMENT",
    agreementId: id,
    amount: "300000.00",
    status: "PAID",
    settledAt: new Date().toISOString(),
  });
  const r = await callInternal(url, "/internal/payout-results", { messages: [paid] });
  expect(r.body.results[0]).toMatchObject({ outcome: "ok", result: { agreementStatus: "ACTIVE" } });
  return id;
}

const lastCobDate = async (pe: { db: TestPe["db"] }, id: string) =>
  (await pe.db.selectFrom("agreements").select("last_cob_date").where("id", "=", id).executeTakeFirstOrThrow())
    .last_cob_date;
const moves = (pe: TestPe) => pe.db.selectFrom("business_date").selectAll().orderBy("date").execute();
const move = (pe: TestPe, body: unknown, headers: Record<string, string> = admin) =>
  call(pe.url, "POST", "/admin/business-date", body, headers);

describe("the manual clock", () => {
  let pe: TestPe;
  beforeAll(async () => {
    pe = await startTestPe(manualEnv);
  });
  afterAll(() => pe?.stop());

  it("starts at BUSINESS_DATE_START; both routes need the admin token", async () => {
    expect((await call(pe.url, "GET", "/admin/business-date")).status).toBe(401);
    expect((await move(pe, { date: "2025-03-02" }, {})).status).toBe(401);
    const r = await call(pe.url, "GET", "/admin/business-date", undefined, admin);
    expect(r).toMatchObject({ status: 200, body: { date: START, clock: "manual" } });
  });

  it("dates an agreement's indicative schedule and its application date from the business date", async () => {
    const created = await call(pe.url, "POST", "/agreements", application());
    expect(created.body.schedule[0].dueDate).toBe("2025-04-01");
    expect(created.body.schedule.at(-1).dueDate).toBe("2026-03-01");
    const message = await pe.db
      .selectFrom("outbox")
      .select("payload")
      .where("aggregate_id", "=", created.body.id)
      .where("topic", "=", "agreement.created")
      .executeTakeFirstOrThrow();
    expect(message.payload).toMatchObject({ applicationDate: START, lastDueDate: "2026-03-01" });
  });

  it("disburses on the business date in effect at settlement, and the daily job starts after it", async () => {
    const id = await active(pe.url);
    const r = await call(pe.url, "GET", `/agreements/${id}`);
    expect(r.body.disbursement.disbursedOn).toBe(START);
    expect(await lastCobDate(pe, id)).toBe(START);
  });

  it("a move forward runs the daily job for every day crossed, in order, and brings agreements up to it", async () => {
    const id = await active(pe.url);
    const r = await move(pe, { date: "2025-03-04" });
    expect(r.status).toBe(200);
    expect(r.body.date).toBe("2025-03-04");
    expect(r.body.cob.map((d: { date: string }) => d.date)).toEqual(["2025-03-02", "2025-03-03", "2025-03-04"]);
    // Every ACTIVE agreement of this file, each brought up on the first day crossed.
    expect(r.body.cob[0]).toMatchObject({ overdueMarked: 0, penaltyPosted: "0.00", closed: 0 });
    expect(r.body.cob[0].agreements).toBeGreaterThanOrEqual(2);
    expect(await lastCobDate(pe, id)).toBe("2025-03-04");
    expect((await call(pe.url, "GET", "/admin/business-date", undefined, admin)).body.date).toBe("2025-03-04");
    // An agreement created after the move starts its schedule on the new date.
    const later = await call(pe.url, "POST", "/agreements", application());
    expect(later.body.schedule[0].dueDate).toBe("2025-04-04");
  });

  it("refuses the same or an earlier date with 422, and a bad body with 400, writing nothing", async () => {
    const before = await moves(pe);
    const current = before.at(-1)!.date;
    for (const date of [current, "2025-03-02"]) {
      const r = await move(pe, { date });
      expect(r.status).toBe(422);
      expect(r.body.error.code).toBe("DATE_NOT_AFTER_CURRENT");
    }
    // Further than BUSINESS_DATE_MAX_MOVE_DAYS (366 by default): refused before anything moves or runs.
    for (const date of ["9999-12-31", "2026-03-06"]) {
      const r = await move(pe, { date });
      expect(r.status).toBe(422);
      expect(r.body.error.code).toBe("MOVE_TOO_FAR");
      expect(r.body.error.details).toEqual([
        { path: "date", message: "must be at most 2026-03-05", current, maxDays: 366 },
      ]);
    }
    const bad = [{ date: "2025-02-30" }, { date: "tomorrow" }, {}, { date: "2025-09-01", extra: 1 }];
    for (const body of [...bad, { date: "1.2.3" }, { date: "\u0000" }, { date: "0000-01-01" }, { date: 20250901 }]) {
      const r = await move(pe, body);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe("VALIDATION_FAILED");
    }
    expect(await moves(pe)).toEqual(before);
  });

  it("reads the date in effect at an instant across moves", async () => {
    await move(pe, { date: "2025-03-10" });
    const history = await moves(pe);
    expect(history.map((m) => m.date)).toEqual([START, "2025-03-04", "2025-03-10"]);
    const clock = createBusinessClock({ BUSINESS_CLOCK: "manual", BUSINESS_DATE_START: "2030-01-01" });
    const at = (ms: number) => clock.at(pe.db, new Date(ms));
    const [first, second, third] = history.map((m) => m.effective_at.getTime()) as [number, number, number];
    expect(await at(0)).toBe(START);
    // The column keeps microseconds, a Date milliseconds: a move is in effect from the millisecond after.
    expect(await at(first)).toBe(START);
    expect(await at(second - 1)).toBe(START);
    expect(await at(second + 1)).toBe("2025-03-04");
    expect(await at(third - 1)).toBe("2025-03-04");
    expect(await at(third + 1)).toBe("2025-03-10");
    expect(await at(Date.now() + 86_400_000)).toBe("2025-03-10");
    // The start setting is used only while the history is empty.
    expect(await clock.today(pe.db)).toBe("2025-03-10");
  });

  it("serialises concurrent moves: each day's job runs once, in order", async () => {
    const [a, b] = await Promise.all([move(pe, { date: "2025-03-13" }), move(pe, { date: "2025-03-15" })]);
    // The later date always moves; the earlier one moves first, or finds the later one in place (422).
    expect(b.status).toBe(200);
    expect([200, 422]).toContain(a.status);
    const days = [a, b].filter((r) => r.status === 200).flatMap((r) => r.body.cob.map((d: { date: string }) => d.date));
    expect(days.sort()).toEqual(["11", "12", "13", "14", "15"].map((d) => `2025-03-${d}`));
  });
});

describe("the system clock", () => {
  let pe: TestPe;
  beforeAll(async () => {
    pe = await startTestPe();
  });
  afterAll(() => pe?.stop());

  it("is today's UTC date, cannot be moved (409), and checks the body first (400)", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const r = await call(pe.url, "GET", "/admin/business-date");
    expect(r.body.clock).toBe("system");
    expect([today, nextDay(today)]).toContain(r.body.date);
    const moved = await move(pe, { date: "2999-01-01" }, {});
    expect(moved.status).toBe(409);
    expect(moved.body.error.code).toBe("CLOCK_NOT_MANUAL");
    expect((await move(pe, { date: "no" }, {})).status).toBe(400);
    expect(await pe.db.selectFrom("business_date").selectAll().execute()).toEqual([]);
  });

  it("reads an instant's date as its UTC date", async () => {
    const clock = createBusinessClock({ BUSINESS_CLOCK: "system" });
    expect(await clock.at(pe.db, new Date("2025-03-15T23:59:59.999Z"))).toBe("2025-03-15");
    expect(await clock.at(pe.db, new Date("2025-03-16T00:00:00.000+03:00"))).toBe("2025-03-15");
  });
});

describe("the daily job's catch-up at start", () => {
  it("brings every ACTIVE agreement up to the business date when PE starts", async () => {
    const database = await createTestDatabase("pe");
    const config = loadPeConfig({
      PE_DATABASE_URL: database.url,
      PE_PORT: "0",
      LOG_LEVEL: "silent",
      ORIGINATION_URL: "http://127.0.0.1:9",
      GATEWAY_URL: "http://127.0.0.1:9",
      ...manualEnv,
    });
    try {
      const first = await startPe(config);
      const id = await active(first.url);
      // A move whose daily job never ran: PE stopped between the commit and the job.
      await sql`insert into business_date (date) values ('2025-03-05')`.execute(first.db);
      await first.stop();
      const second = await startPe(config);
      try {
        await second.workers.cob.caughtUp();
        expect(await lastCobDate(second, id)).toBe("2025-03-05");
      } finally {
        await second.stop();
      }
    } finally {
      await database.drop();
    }
  });
});

describe("configuration", () => {
  const env = { PE_DATABASE_URL: "postgres://x/pe" };
  it("refuses the manual clock in production and a start that is not a date", () => {
    const production = { ...env, NODE_ENV: "production", API_KEYS: "k".repeat(16), ADMIN_TOKEN: ADMIN };
    const secret = { SERVICE_SECRET: "s".repeat(32) };
    expect(() => loadPeConfig({ ...production, ...secret, BUSINESS_CLOCK: "manual" })).toThrow(
      /BUSINESS_CLOCK: manual is refused in production/,
    );
    expect(loadPeConfig({ ...production, ...secret }).BUSINESS_CLOCK).toBe("system");
    expect(() => loadPeConfig({ ...env, BUSINESS_DATE_START: "2025-02-30" })).toThrow(ConfigError);
    expect(() => loadPeConfig({ ...env, BUSINESS_CLOCK: "frozen" })).toThrow(/BUSINESS_CLOCK/);
    expect(loadPeConfig({ ...env, BUSINESS_CLOCK: "manual", BUSINESS_DATE_START: START }).BUSINESS_DATE_START).toBe(
      START,
    );
  });

  it("bounds one move by BUSINESS_DATE_MAX_MOVE_DAYS, 366 unless set, 1 to 3660", () => {
    expect(loadPeConfig(env).BUSINESS_DATE_MAX_MOVE_DAYS).toBe(366);
    expect(loadPeConfig({ ...env, BUSINESS_DATE_MAX_MOVE_DAYS: "30" }).BUSINESS_DATE_MAX_MOVE_DAYS).toBe(30);
    for (const bad of ["0", "3661", "1.5", "many"])
      expect(() => loadPeConfig({ ...env, BUSINESS_DATE_MAX_MOVE_DAYS: bad })).toThrow(/BUSINESS_DATE_MAX_MOVE_DAYS/);
  });

  it.each([
    ["2025-03-04", "2025-03-04", 366, "DATE_NOT_AFTER_CURRENT"],
    ["2025-03-04", "2025-03-03", 366, "DATE_NOT_AFTER_CURRENT"],
    ["2025-03-04", "2025-03-05", 366, null],
    ["2025-03-04", "2026-03-05", 366, null],
    ["2025-03-04", "2026-03-06", 366, "MOVE_TOO_FAR"],
    ["2024-02-28", "2024-03-01", 1, "MOVE_TOO_FAR"],
    ["2024-02-28", "2024-02-29", 1, null],
    ["2025-03-04", "9999-12-31", 3660, "MOVE_TOO_FAR"],
  ])("a move from %s to %s with at most %i days: %s", (current, date, maxDays, code) => {
    expect(moveRefusal(current, date, maxDays)?.code ?? null).toBe(code);
  });

  it("counts days across months and years", () => {
    expect(["2024-02-28", "2024-02-29", "2025-02-28", "2025-12-31", "2025-04-30"].map(nextDay)).toEqual([
      "2024-02-29",
      "2024-03-01",
      "2025-03-01",
      "2026-01-01",
      "2025-05-01",
    ]);
  });
});
