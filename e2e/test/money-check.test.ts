import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows } from "../kit/invariants.ts";
import { checkMoney, settledWithMoney } from "../kit/money.ts";
import { activeLoans, applied, pay } from "../kit/servicing.ts";
import { startTestSystem, type TestSystem } from "../kit/test-system.ts";

// The money check is only worth something if it fails: a clean system passes it, and each kind of damage
// done by hand to PE's or PG's rows is named.
let test: TestSystem;

beforeAll(async () => {
  test = await startTestSystem({
    BUSINESS_CLOCK: "manual",
    BUSINESS_DATE_START: "2025-01-15",
    BANK_LATENCY_MS: "0",
    OUTBOX_BASE_DELAY_MS: "50",
    OUTBOX_MAX_DELAY_MS: "500",
  });
});
afterAll(async () => {
  await test?.stop();
});

describe("checkMoney", () => {
  it("passes a system at rest, and names each breach made by hand", async () => {
    const { system } = test;
    const [id] = await activeLoans(system, 1);
    await applied(system, await pay(system, { agreementId: id!, amount: "1000.00", key: `money-check-${id}` }));
    const clean = await settledWithMoney(system);
    expect(clean.violations).toEqual([]);
    expect(clean.totals).toEqual({
      in: "1000.00",
      collected: "1000.00",
      allocated: "0.00",
      unapplied: "1000.00",
      refunded: "0.00",
    });
    const pe = system.databases.pe;
    const breaches = async () => (await checkMoney(system)).violations.join("\n");

    await rows(pe, "update unapplied_funds set remaining = remaining + 1");
    const funds = await breaches();
    expect(funds).toMatch(/payment .* of 1000\.00: allocated 0, unapplied 1001\.00/);
    expect(funds).toMatch(/money in 1000\.00 ≠ allocated 0\.00 \+ unapplied 1001\.00/);
    expect(funds).toMatch(/ledger .* CLIENT_FUNDS -1000\.00 .* funds 1001\.00/);
    await rows(pe, "update unapplied_funds set remaining = remaining - 1");

    await rows(pe, `update schedule_payments set paid_principal = 10 where agreement_id = '${id}' and period = 3`);
    expect(await breaches()).toMatch(/ledger LOAN_PRINCIPAL 305000\.00 .* schedule principal 304990\.00/);
    await rows(pe, `update schedule_payments set paid_principal = 0 where agreement_id = '${id}' and period = 3`);
    expect(await breaches()).toBe("");

    await rows(pe, `update agreements set psk_amount = psk_amount + 0.01 where id = '${id}'`);
    expect(await breaches()).toMatch(
      /agreement .* \(ACTIVE\): PSK 26043\.28 final true on version 1, Σ payments 326043\.27/,
    );
    await rows(pe, `update agreements set psk_amount = psk_amount - 0.01, psk_final = false where id = '${id}'`);
    expect(await breaches()).toMatch(/\(ACTIVE\): PSK 26043\.27 final false/);
    await rows(pe, `update agreements set psk_final = true where id = '${id}'`);
    expect(await breaches()).toBe("");
    // EXCEPTIONS §4.2 item 14: a CL1.0 (NONE) period due a day after it ends; then a CL2.0 loan dated by
    // the calendar in force falling due on a Sunday ahead.
    await rows(pe, `update schedule_payments set due_date = due_date + 1 where agreement_id = '${id}' and period = 4`);
    expect(await breaches()).toMatch(/agreement .* period 4: NONE due 2025-05-16, ends 2025-05-15/);
    await rows(pe, `update schedule_payments set due_date = due_date - 1 where agreement_id = '${id}' and period = 4`);
    await rows(pe, `update products set due_date_shift = 'NEXT_WORKING_DAY' where code = 'CL1.0'`);
    await rows(pe, `update agreements set calendar_version = 0 where id = '${id}'`);
    // 2025-06-15 is a Sunday: under NEXT_WORKING_DAY period 5 may not fall due on it.
    expect(await breaches()).toMatch(/period 5 falls due on 2025-06-15, not a working day in calendar version 0/);
    await rows(pe, `update agreements set calendar_version = null where id = '${id}'`);
    await rows(pe, `update products set due_date_shift = 'NONE' where code = 'CL1.0'`);
    expect(await breaches()).toBe("");

    await rows(
      system.databases.gateway,
      `insert into payments (id, agreement_id, amount, purpose, payer_account, status, succeeded_at)
       values (gen_random_uuid(), '${id}', 7, 'REGULAR', '40817810000000000001', 'SUCCEEDED', now())`,
    );
    const gateway = await breaches();
    expect(gateway).toMatch(/PG payment .* \(7\.00\) never reached PE/);
    expect(gateway).toMatch(/PE payments 1000\.00, PG SUCCEEDED 1007\.00/);
    expect(gateway).toMatch(/bank collection missing/);

    // Last: the ledger is append-only, so this one stays.
    await rows(
      pe,
      `insert into ledger_entries (journal_id, agreement_id, fact, type, on_date, account, debit)
       values (999999, '${id}', 'by hand', 'REPAYMENT', '2025-01-15', 'CLIENT_FUNDS', 5)`,
    );
    expect(await breaches()).toMatch(/journal 999999: debit 5\.00, credit 0\.00/);
  });
});
