import { describe, expect, it } from "vitest";
import { nextAnnounced } from "../src/agreement-events/agreement-events.ts";
import type { PayoutStatus } from "../src/db.ts";
import { afterBank, type BankAnswer, nextLookMs } from "../src/payouts/transitions.ts";

const at = new Date("2025-01-15T10:00:00Z");
const accepted: BankAnswer = { kind: "transfer", transfer: { status: "ACCEPTED", failureCode: null, settledAt: null } };
const settled: BankAnswer = { kind: "transfer", transfer: { status: "SETTLED", failureCode: null, settledAt: at } };
const failed: BankAnswer = {
  kind: "transfer",
  transfer: { status: "FAILED", failureCode: "account_closed", settledAt: at },
};
const unknown: BankAnswer = { kind: "unknown" };
const none: BankAnswer = { kind: "none" };

const paid = { kind: "final", status: "PAID", settledAt: at, failureCode: null };
const refused = { kind: "final", status: "FAILED", settledAt: at, failureCode: "account_closed" };

// LIFECYCLE §1.3: payout × bank answer.
const TABLE: Array<[PayoutStatus, string, BankAnswer, unknown]> = [
  ["PENDING", "accepted", accepted, { kind: "move", to: "IN_TRANSIT" }],
  ["PENDING", "settled", settled, paid],
  ["PENDING", "failed", failed, refused],
  ["PENDING", "unknown", unknown, { kind: "wait", unknown: true }],
  ["PENDING", "none", none, { kind: "wait", unknown: false }],
  ["IN_TRANSIT", "accepted", accepted, { kind: "wait", unknown: false }],
  ["IN_TRANSIT", "settled", settled, paid],
  ["IN_TRANSIT", "failed", failed, refused],
  ["IN_TRANSIT", "unknown", unknown, { kind: "wait", unknown: true }],
  ["PAID", "failed", failed, { kind: "ignore" }],
  ["PAID", "settled", settled, { kind: "ignore" }],
  ["FAILED", "settled", settled, { kind: "ignore" }],
  ["FAILED", "unknown", unknown, { kind: "ignore" }],
];

describe("payout × bank answer", () => {
  it.each(TABLE)("%s + %s", (status, _name, answer, expected) => {
    expect(afterBank(status, answer)).toEqual(expected);
  });

  it("an unknown outcome never makes a payout FAILED, whatever its status", () => {
    for (const s of ["PENDING", "IN_TRANSIT"] as const) expect(afterBank(s, unknown).kind).toBe("wait");
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
