import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestPe, type TestPe } from "./helpers.ts";
import { activeLoan, checkMoney, loan, moveTo, pay } from "./servicing-helpers.ts";

// LIFECYCLE §7's value-date rule: a payment the bank settled on day d is valued on d however late PE learns
// of it. Two twin loans go late the same way; one payment is learned at once, the other three days later.
let pe: TestPe;
beforeAll(async () => {
  pe = await startTestPe({ BUSINESS_CLOCK: "manual", BUSINESS_DATE_START: "2025-01-15" });
});
afterAll(() => pe?.stop());

/** What must not depend on when PE learned of the payment. */
const figures = async (id: string) => {
  const l = await loan(pe, id);
  return { balances: l.balances, delinquency: l.delinquency, schedule: l.schedule, version: l.scheduleVersion };
};

describe("the value date", () => {
  it("a payment settled on 03-25 and learned on 03-28 ends with the figures of one learned at once", async () => {
    const [now, late] = [await activeLoan(pe), await activeLoan(pe)];
    await moveTo(pe, "2025-02-15");
    for (const id of [now, late]) await pay(pe, id, { amount: "27170.27" });
    await moveTo(pe, "2025-03-25");
    const settledAt = new Date().toISOString();
    const onTime = await pay(pe, now, { amount: "27303.11", succeededAt: settledAt });
    // The message to PE is held up across three daily jobs, which post penalty days 03-26 … 03-28.
    await moveTo(pe, "2025-03-28");
    const before = await loan(pe, late);
    expect(before.schedule[1]).toMatchObject({ status: "OVERDUE", penalty: "172.69" });
    const learnedLate = await pay(pe, late, { amount: "27303.11", succeededAt: settledAt });
    expect(learnedLate.result).toEqual(onTime.result);
    expect(learnedLate.result).toMatchObject({ appliedOn: "2025-03-25", allocation: { penalty: "132.84" } });
    expect(await figures(late)).toEqual(await figures(now));
    expect((await loan(pe, late)).schedule[1]).toMatchObject({
      status: "PAID",
      penalty: "132.84",
      paidOn: "2025-03-25",
    });
    // The ledger took the three penalty days back rather than editing them: the income is the same.
    const { rows } = await sql<{ type: string; n: number }>`
      select type, count(distinct journal_id)::int as n from ledger_entries
      where agreement_id = ${late} and type in ('PENALTY_REVERSAL', 'REALLOCATION') group by type`.execute(pe.db);
    expect(rows.find((r) => r.type === "PENALTY_REVERSAL")?.n).toBe(3);
    const [a, b] = [await checkMoney(pe, now), await checkMoney(pe, late)];
    for (const account of ["PENALTY_INCOME", "INTEREST_INCOME", "LOAN_PRINCIPAL", "CLIENT_FUNDS", "SETTLEMENT"])
      expect(b.balance(account)).toBe(a.balance(account));
    const t = await call(pe.url, "GET", `/agreements/${late}/transactions?limit=100`);
    expect(t.body.items.filter((i: { type: string }) => i.type === "PENALTY_REVERSAL")).toHaveLength(3);
  });
});
