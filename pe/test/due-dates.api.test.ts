import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replaceCalendarYear } from "../src/calendar/calendar.repository.ts";
import { redateLoans } from "../src/servicing-store/redate.ts";
import { CALENDAR_2026 } from "./due-dates-fixtures.ts";
import { call, createProduct, startTestPe, type TestPe } from "./helpers.ts";
import { approvedLoan, checkMoney, disburseAndPay, loan, moveTo, pay } from "./servicing-helpers.ts";

// EXCEPTIONS §6.4 through PE's public API on a manual clock: the 2026 calendar PUT first, a CL2.0 loan and
// the same loan on a NONE product beside it, then re-dating after a calendar change.
let pe: TestPe;
beforeAll(async () => {
  pe = await startTestPe({ BUSINESS_CLOCK: "manual", BUSINESS_DATE_START: "2026-01-05" });
});
afterAll(() => pe?.stop());

const putCalendar = (nonWorkingDays: string[]) =>
  call(pe.url, "PUT", "/admin/calendar/2026", { nonWorkingDays, workingWeekends: [] });
const terms = { disbursementAmount: "100000.00", termMonths: 6, interestRate: "15", originationFee: "0.00" };
const rows = (l: { schedule: Array<Record<string, string>> }) =>
  l.schedule.map((p) => [p.periodEnd, p.dueDate, p.payment, p.principal, p.interest, p.balance]);

let id: string;
let plain: string;
describe("§6.4: CL2.0, 100 000.00, 15 %, 6 months, disbursed 2026-01-09", () => {
  it("the calendar of §6.4 is PUT first", async () => {
    const r = await putCalendar(CALENDAR_2026);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ version: 1, redated: { agreements: 0, periods: 0 } });
  });

  it("POST /products takes dueDateShift: the same terms without the shift, for comparison", async () => {
    const cl2 = (await call(pe.url, "GET", "/products/CL2.0")).body;
    expect(cl2).toMatchObject({ dueDateShift: "NEXT_WORKING_DAY", minOriginationFee: "0.00", penaltyRate: "20" });
    const { code: _c, createdAt: _t, ...rest } = cl2;
    const { product, asked, approved } = await createProduct(pe.url, { ...rest, code: "CL2.0N", dueDateShift: "NONE" });
    expect(asked.status, JSON.stringify(asked.body)).toBe(202);
    expect(approved?.status, JSON.stringify(approved?.body)).toBe(200);
    expect(product.dueDateShift).toBe("NONE");
    const bad = await call(pe.url, "POST", "/products", { ...rest, code: "CL2.0X", dueDateShift: "LATER" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe("dueDateShift");
    expect((await call(pe.url, "GET", "/products/CL2.0X")).status).toBe(404);
  });

  it("created on 01-05: indicative dates by the calendar in effect (04-05 is a Sunday)", async () => {
    id = await approvedLoan(pe, { productCode: "CL2.0", ...terms });
    plain = await approvedLoan(pe, { productCode: "CL2.0N", ...terms });
    const l = await loan(pe, id);
    expect(l.scheduleAnchoredOn).toBeNull();
    expect(l.schedule[2]).toMatchObject({ periodEnd: "2026-04-05", dueDate: "2026-04-06" });
    expect((await loan(pe, plain)).schedule[2]).toMatchObject({ periodEnd: "2026-04-05", dueDate: "2026-04-05" });
  });

  it("disbursed on 01-09 (non-working itself): every row's periodEnd, dueDate and amounts", async () => {
    await moveTo(pe, "2026-01-09");
    await disburseAndPay(pe, id);
    await disburseAndPay(pe, plain);
    const l = await loan(pe, id);
    expect(l).toMatchObject({ status: "ACTIVE", scheduleAnchoredOn: "2026-01-09", scheduleVersion: 1 });
    expect(rows(l)).toEqual([
      ["2026-02-09", "2026-02-09", "17403.38", "16153.38", "1250.00", "83846.62"],
      ["2026-03-09", "2026-03-10", "17403.38", "16355.30", "1048.08", "67491.32"],
      ["2026-04-09", "2026-04-09", "17403.38", "16559.74", "843.64", "50931.58"],
      ["2026-05-09", "2026-05-12", "17403.38", "16766.74", "636.64", "34164.84"],
      ["2026-06-09", "2026-06-09", "17403.38", "16976.32", "427.06", "17188.52"],
      ["2026-07-09", "2026-07-09", "17403.38", "17188.52", "214.86", "0.00"],
    ]);
    // §6.4's PSK, final at ACTIVE: the moved dates count (14.905); the same loan under NONE is 15.000.
    expect(l.psk).toEqual({ percent: "14.905", amount: "4420.28", final: true, scheduleVersion: 1 });
    expect((await loan(pe, plain)).psk).toEqual({
      percent: "15.000",
      amount: "4420.28",
      final: true,
      scheduleVersion: 1,
    });
    const versions = (await call(pe.url, "GET", `/agreements/${id}/schedule-versions`)).body.items;
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({ version: 1, reason: "DISBURSEMENT", effectiveOn: "2026-01-09" });
    expect(versions[0].rows[3]).toMatchObject({ periodEnd: "2026-05-09", dueDate: "2026-05-12" });
    const p = (await loan(pe, plain)).schedule;
    expect(p.map((r: Record<string, string>) => [r.periodEnd, r.dueDate, r.payment])).toEqual(
      rows(l).map(([end, , payment]) => [end, end, payment]),
    );
    const { rows: recorded } = await sql<{ calendar_version: number | null }>`
      select calendar_version from agreements where id in (${id}, ${plain}) order by product_code`.execute(pe.db);
    expect(recorded.map((r) => r.calendar_version)).toEqual([1, null]);
  });

  it("period 1 paid on 02-09; on 03-09 nothing is due", async () => {
    await moveTo(pe, "2026-02-09");
    expect((await pay(pe, id, { amount: "17403.38" })).result.allocation.interest).toBe("1250.00");
    await pay(pe, plain, { amount: "17403.38" });
    await moveTo(pe, "2026-03-09");
    const l = await loan(pe, id);
    expect(l.balances.totalDue).toBe("0.00");
    expect(l.schedule[1].status).toBe("PENDING");
  });

  it("17 403.38 on 03-10 pays period 2 due today: PAID, penalty 0.00, daysPastDue 0", async () => {
    await moveTo(pe, "2026-03-10");
    const r = await pay(pe, id, { amount: "17403.38" });
    expect(r.result.allocation).toEqual({
      interest: "1048.08",
      principal: "16355.30",
      penalty: "0.00",
      unapplied: "0.00",
      refunded: "0.00",
    });
    const l = await loan(pe, id);
    expect(l.schedule[1]).toMatchObject({ status: "PAID", paidOn: "2026-03-10", penalty: "0.00" });
    expect(l.balances).toMatchObject({ penaltyOutstanding: "0.00", totalDue: "0.00" });
    expect(l.delinquency.daysPastDue).toBe(0);
    await checkMoney(pe, id);
  });

  it("the quote after it accrues from the nominal 03-09: 67 518.53", async () => {
    const q = await call(pe.url, "GET", `/agreements/${id}/payoff-quote`);
    expect(q.status).toBe(200);
    expect(q.body).toMatchObject({ date: "2026-03-10", amount: "67518.53" });
    expect(q.body.accrual).toMatchObject({ period: 3, from: "2026-03-09", to: "2026-04-09", daysElapsed: 1 });
  });

  it("the same loan without the shift is one day late: penalty 8.96 stays owed, period 2 OVERDUE", async () => {
    const r = await pay(pe, plain, { amount: "17403.38" });
    expect(r.result.allocation).toMatchObject({ interest: "1048.08", principal: "16355.30", penalty: "0.00" });
    const l = await loan(pe, plain);
    expect(l.schedule[1]).toMatchObject({ status: "OVERDUE", penalty: "8.96", paidPenalty: "0.00" });
    expect(l.balances.penaltyOutstanding).toBe("8.96");
    await checkMoney(pe, plain);
  });

  it("a calendar change re-dates only what is ahead, appends a CALENDAR version, changes nothing as of today", async () => {
    const before = await loan(pe, id);
    const plainBefore = await loan(pe, plain);
    // 03-10 (today: already due) and 04-09 (ahead) become holidays.
    const r = await putCalendar([...CALENDAR_2026, "2026-03-10", "2026-04-09"]);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ version: 2, redated: { agreements: 1, periods: 1 } });
    const l = await loan(pe, id);
    expect(l.schedule[1]).toMatchObject({ periodEnd: "2026-03-09", dueDate: "2026-03-10", status: "PAID" });
    expect(l.schedule[2]).toMatchObject({ periodEnd: "2026-04-09", dueDate: "2026-04-10", payment: "17403.38" });
    expect(l.scheduleVersion).toBe(2);
    // §3.11: the PSK is recomputed on the re-dated version: period 3's flow a day later (e = 1·12/365).
    expect(l.psk).toEqual({ percent: "14.881", amount: "4420.28", final: true, scheduleVersion: 2 });
    expect({ ...l, schedule: null, scheduleVersion: null, psk: null, updatedAt: null }).toEqual({
      ...before,
      schedule: null,
      scheduleVersion: null,
      psk: null,
      updatedAt: null,
    });
    expect(await loan(pe, plain)).toEqual(plainBefore);
    const versions = (await call(pe.url, "GET", `/agreements/${id}/schedule-versions`)).body.items;
    expect(versions.map((v: Record<string, unknown>) => [v.version, v.reason, v.effectiveOn])).toEqual([
      [1, "DISBURSEMENT", "2026-01-09"],
      [2, "CALENDAR", "2026-03-10"],
    ]);
    expect(versions[1].rows[2]).toMatchObject({ dueDate: "2026-04-10", interest: "843.64" });
    // The quote's range now ends on the moved date.
    expect((await call(pe.url, "GET", `/agreements/${id}/payoff-quote?date=2026-04-10`)).status).toBe(200);
    // A repeat of the same calendar moves nothing more.
    const again = await putCalendar([...CALENDAR_2026, "2026-03-10", "2026-04-09"]);
    expect(again.body).toMatchObject({ version: 3, redated: { agreements: 0, periods: 0 } });
    await checkMoney(pe, id);
  });

  it("paid on the moved 04-10: no penalty; the period's interest is recognised on its due date", async () => {
    await moveTo(pe, "2026-04-10");
    const r = await pay(pe, id, { amount: "17403.38" });
    expect(r.result.allocation).toMatchObject({ interest: "843.64", principal: "16559.74", penalty: "0.00" });
    const l = await loan(pe, id);
    expect(l.schedule[2]).toMatchObject({ status: "PAID", penalty: "0.00" });
    const { rows: due } = await sql<{ on_date: string }>`
      select on_date::text from ledger_entries where agreement_id = ${id} and fact = 'interest:3' limit 1`.execute(
      pe.db,
    );
    expect(due).toEqual([{ on_date: "2026-04-10" }]);
    await checkMoney(pe, id);
  });
});

describe("an interrupted re-dating resumes", () => {
  it("stopped after two of four loans, the daily job finishes the rest; another run finds nothing", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await approvedLoan(pe, { productCode: "CL2.0", ...terms }));
    for (const i of ids) await disburseAndPay(pe, i);
    // Disbursed on 04-10, periods end on the 10th: 05-10 is a Sunday (→ 05-12, 05-11 is a holiday), 06-10 a Wednesday.
    expect((await loan(pe, ids[0]!)).schedule[0]).toMatchObject({ periodEnd: "2026-05-10", dueDate: "2026-05-12" });
    expect((await loan(pe, ids[0]!)).schedule[1]).toMatchObject({ periodEnd: "2026-06-10", dueDate: "2026-06-10" });
    // A calendar change whose re-dating never ran (the process stopped after the commit).
    await pe.db.transaction().execute((trx) =>
      replaceCalendarYear(trx, {
        year: 2026,
        nonWorkingDays: [...CALENDAR_2026, "2026-03-10", "2026-04-09", "2026-06-10"],
        workingWeekends: [],
      }),
    );
    // Four CL2.0 loans are ACTIVE (§6.4's among them, whose dates 06-10 does not touch); two are done.
    const first = await redateLoans(pe.db, "2026-04-10", { limit: 2 });
    const versions = async () =>
      (
        await sql<{ id: string; calendar_version: number }>`
          select id, calendar_version from agreements where id in (${sql.join([...ids, id])})`.execute(pe.db)
      ).rows;
    const done = (await versions()).filter((r) => r.calendar_version === 4).map((r) => r.id);
    expect(done).toHaveLength(2);
    expect((await versions()).filter((r) => r.calendar_version === 3)).toHaveLength(2);
    const moved = done.filter((x) => x !== id).length;
    expect(first).toEqual({ agreements: moved, periods: moved });
    // The next day's job finishes it.
    await moveTo(pe, "2026-04-11");
    expect((await versions()).map((r) => r.calendar_version)).toEqual([4, 4, 4, 4]);
    for (const i of ids) {
      expect((await loan(pe, i)).schedule[1]).toMatchObject({ periodEnd: "2026-06-10", dueDate: "2026-06-11" });
      await checkMoney(pe, i);
    }
    expect((await loan(pe, id)).schedule[4]).toMatchObject({ periodEnd: "2026-06-09", dueDate: "2026-06-09" });
    expect(await redateLoans(pe.db, "2026-04-11")).toEqual({ agreements: 0, periods: 0 });
  });
});
