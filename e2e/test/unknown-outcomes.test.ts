import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { account, approvedAgreements, disburse, settledWithPayouts } from "../kit/disbursement.ts";
import { rows } from "../kit/invariants.ts";
import type { System } from "../kit/system.ts";
import { startTestSystem, type TestSystem } from "../kit/test-system.ts";

// LIFECYCLE §2.7 and §3.1 case 3 at volume: 30 % of the bank's calls, submits and polls alike, time out
// with the outcome unknown (a submit half the time recorded before its answer is lost); 10 % of transfers
// are refused by the bank for good.
let test: TestSystem;
let system: System;

beforeAll(async () => {
  test = await startTestSystem({
    OUTBOX_BASE_DELAY_MS: "50",
    OUTBOX_MAX_DELAY_MS: "500",
    BANK_LATENCY_MS: "5-30",
    BANK_ERROR_RATE: "0.3",
    // Some definitive refusals too, so "FAILED only when the bank refused" is tested both ways.
    BANK_FAILURE_RATE: "0.1",
    BANK_SEED: "unknown-outcomes",
  });
  ({ system } = test);
});
afterAll(async () => {
  await test?.stop();
});

describe("unknown bank outcomes", () => {
  it("200 disbursements with BANK_ERROR_RATE=0.3: exactly one transfer each, FAILED only what the bank refused", async () => {
    const ids = await approvedAgreements(system, 200, 8);
    let next = 0;
    const lane = async () => {
      while (next < ids.length) {
        const i = next++;
        const r = await disburse(system, ids[i]!, account(10_000 + i));
        expect(r.status).toBe(202);
      }
    };
    await Promise.all(Array.from({ length: 8 }, lane));
    const report = await settledWithPayouts(system, 120_000);
    // settledWithPayouts has checked each payout against its transfer (PAID ⇔ SETTLED, FAILED ⇔ refused)
    // and each agreement against its payout (ACTIVE ⇔ PAID, DISBURSEMENT_FAILED ⇔ FAILED).
    expect(report.payouts).toMatchObject({ payouts: 200, transfers: 200, open: 0 });
    expect(report.payouts!.paid + report.payouts!.failed).toBe(200);
    expect(report.payouts!.failed).toBeGreaterThan(0);
    const gatewayUrl = test.gatewayDb!.url;
    const [calls] = await rows<{ resubmitted: string }>(
      gatewayUrl,
      "select count(*) filter (where op = 'submit' and n > 1) as resubmitted from bank.calls",
    );
    // The faults really happened: payouts were submitted more than once, and still one transfer each.
    expect(Number(calls!.resubmitted)).toBeGreaterThan(20);
    const [perPayout] = await rows<{ most: string }>(
      gatewayUrl,
      "select max(n) as most from (select count(*) as n from bank.transfers group by id) x",
    );
    expect(Number(perPayout!.most)).toBe(1);
    const metrics = await (await fetch(`${system.gateway[0]!.url}/metrics`)).text();
    expect(metrics).toMatch(/gateway_bank_calls_total\{[^}]*op="submit"[^}]*outcome="unknown"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/gateway_payouts\{[^}]*kind="DISBURSEMENT"[^}]*status="PAID"[^}]*\} \d+/);
  }, 180_000);
});
