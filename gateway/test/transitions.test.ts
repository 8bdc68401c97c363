import { describe, expect, it } from "vitest";
import { nextAnnounced } from "../src/agreement-events/agreement-events.ts";
import { afterBank, type BankAnswer, type BankPhase, nextLookMs } from "../src/bank/steps.ts";
import { paymentMovements } from "../src/payments/payments.bank.ts";
import type { PaymentRow } from "../src/payments/payments.repository.ts";
import { payoutMovements } from "../src/payouts/payouts.bank.ts";
import type { PayoutRow } from "../src/payouts/payouts.repository.ts";

const at = new Date("2025-01-15T10:00:00Z");
const accepted: BankAnswer = { kind: "transfer", transfer: { status: "ACCEPTED", failureCode: null, settledAt: null } };
const settled: BankAnswer = { kind: "transfer", transfer: { status: "SETTLED", failureCode: null, settledAt: at } };
const failed: BankAnswer = {
  kind: "transfer",
  transfer: { status: "FAILED", failureCode: "account_closed", settledAt: at },
};
const unknown: BankAnswer = { kind: "unknown" };
const none: BankAnswer = { kind: "none" };

const paid = { kind: "final", outcome: "SETTLED", settledAt: at, failureCode: null };
const refused = { kind: "final", outcome: "FAILED", settledAt: at, failureCode: "account_closed" };

// LIFECYCLE §1.3, §8.8: where a payout or payment stands with the bank × the bank's answer.
const TABLE: Array<[BankPhase, string, BankAnswer, unknown]> = [
  ["submit", "accepted", accepted, { kind: "accepted" }],
  ["submit", "settled", settled, paid],
  ["submit", "failed", failed, refused],
  ["submit", "unknown", unknown, { kind: "wait", unknown: true }],
  ["submit", "none", none, { kind: "wait", unknown: false }],
  ["poll", "accepted", accepted, { kind: "wait", unknown: false }],
  ["poll", "settled", settled, paid],
  ["poll", "failed", failed, refused],
  ["poll", "unknown", unknown, { kind: "wait", unknown: true }],
  ["final", "failed", failed, { kind: "ignore" }],
  ["final", "settled", settled, { kind: "ignore" }],
  ["final", "unknown", unknown, { kind: "ignore" }],
];

describe("bank phase × bank answer", () => {
  it.each(TABLE)("%s + %s", (phase, _name, answer, expected) => {
    expect(afterBank(phase, answer)).toEqual(expected);
  });

  it("an unknown outcome never makes a movement FAILED, whatever its phase", () => {
    for (const s of ["submit", "poll"] as const) expect(afterBank(s, unknown).kind).toBe("wait");
  });

  it("a payout's phase is its status; a payment's is PROCESSING and whether the bank accepted it", () => {
    const payout = (status: PayoutRow["status"]) => payoutMovements.phase({ status } as PayoutRow);
    expect(["PENDING", "IN_TRANSIT", "PAID", "FAILED"].map((s) => payout(s as PayoutRow["status"]))).toEqual([
      "submit",
      "poll",
      "final",
      "final",
    ]);
    const payment = (status: PaymentRow["status"], acceptedAt: Date | null) =>
      paymentMovements.phase({ status, bank_accepted_at: acceptedAt } as PaymentRow);
    expect(payment("PROCESSING", null)).toBe("submit");
    expect(payment("PROCESSING", at)).toBe("poll");
    expect(payment("SUCCEEDED", at)).toBe("final");
    expect(payment("FAILED", null)).toBe("final");
  });

  it("looks again sooner at first, never later than 5 s", () => {
    expect(nextLookMs(1)).toBe(40);
    expect(nextLookMs(2)).toBe(80);
    expect(nextLookMs(50)).toBe(5_000);
  });
});

describe("agreement status as PG records it: forward only", () => {
  it.each([
    [null, "ACTIVE", "take"],
    [null, "DISBURSEMENT_FAILED", "take"],
    ["ACTIVE", "ACTIVE", "same"],
    ["ACTIVE", "CLOSED", "take"],
    ["CLOSED", "ACTIVE", "same"],
    ["CLOSED", "CLOSED", "same"],
    ["ACTIVE", "DISBURSEMENT_FAILED", "contradiction"],
    ["DISBURSEMENT_FAILED", "ACTIVE", "contradiction"],
    ["DISBURSEMENT_FAILED", "DISBURSEMENT_FAILED", "same"],
  ] as const)("%s + %s → %s", (current, incoming, expected) => {
    expect(nextAnnounced(current, incoming)).toBe(expected);
  });
});
