import { describe, expect, it } from "vitest";
import {
  AGREEMENT_EVENTS,
  AGREEMENT_STATUSES,
  type AgreementEvent,
  type AgreementStatus,
  type Transition,
  transition,
} from "../src/lifecycle/transitions.ts";

const move = (to: AgreementStatus): Transition => ({ kind: "move", to });
const same: Transition = { kind: "same" };
const conflict: Transition = { kind: "conflict" };

// Every status × every event, written out: a change to the machine has to change this table.
// LIFECYCLE §1.1 for the disbursement columns (a DISBURSE "same" is for the account already ordered).
const CASES: Array<[AgreementStatus, AgreementEvent, Transition]> = [
  ["NEW", "ACCEPTED", move("IN_PROGRESS")],
  ["NEW", "APPROVED", move("APPROVED")],
  ["NEW", "REJECTED", move("REJECTED")],
  ["NEW", "WITHDRAW", move("WITHDRAWN")],
  ["NEW", "DISBURSE", conflict],
  ["NEW", "PAYOUT_PAID", conflict],
  ["NEW", "PAYOUT_FAILED", conflict],
  ["NEW", "PAID_OFF", conflict],
  ["IN_PROGRESS", "ACCEPTED", same],
  ["IN_PROGRESS", "APPROVED", move("APPROVED")],
  ["IN_PROGRESS", "REJECTED", move("REJECTED")],
  ["IN_PROGRESS", "WITHDRAW", move("WITHDRAWN")],
  ["IN_PROGRESS", "DISBURSE", conflict],
  ["IN_PROGRESS", "PAYOUT_PAID", conflict],
  ["IN_PROGRESS", "PAYOUT_FAILED", conflict],
  ["IN_PROGRESS", "PAID_OFF", conflict],
  ["APPROVED", "ACCEPTED", same],
  ["APPROVED", "APPROVED", same],
  ["APPROVED", "REJECTED", conflict],
  ["APPROVED", "WITHDRAW", move("WITHDRAWN")],
  ["APPROVED", "DISBURSE", move("DISBURSING")],
  ["APPROVED", "PAYOUT_PAID", conflict],
  ["APPROVED", "PAYOUT_FAILED", conflict],
  ["APPROVED", "PAID_OFF", conflict],
  ["REJECTED", "ACCEPTED", same],
  ["REJECTED", "APPROVED", conflict],
  ["REJECTED", "REJECTED", same],
  ["REJECTED", "WITHDRAW", conflict],
  ["REJECTED", "DISBURSE", conflict],
  ["REJECTED", "PAYOUT_PAID", conflict],
  ["REJECTED", "PAYOUT_FAILED", conflict],
  ["REJECTED", "PAID_OFF", conflict],
  ["WITHDRAWN", "ACCEPTED", same],
  ["WITHDRAWN", "APPROVED", same],
  ["WITHDRAWN", "REJECTED", same],
  ["WITHDRAWN", "WITHDRAW", same],
  ["WITHDRAWN", "DISBURSE", conflict],
  ["WITHDRAWN", "PAYOUT_PAID", conflict],
  ["WITHDRAWN", "PAYOUT_FAILED", conflict],
  ["WITHDRAWN", "PAID_OFF", conflict],
  ["DISBURSING", "ACCEPTED", same],
  ["DISBURSING", "APPROVED", same],
  ["DISBURSING", "REJECTED", conflict],
  ["DISBURSING", "WITHDRAW", conflict],
  ["DISBURSING", "DISBURSE", same],
  ["DISBURSING", "PAYOUT_PAID", move("ACTIVE")],
  ["DISBURSING", "PAYOUT_FAILED", move("DISBURSEMENT_FAILED")],
  ["DISBURSING", "PAID_OFF", conflict],
  ["ACTIVE", "ACCEPTED", same],
  ["ACTIVE", "APPROVED", same],
  ["ACTIVE", "REJECTED", conflict],
  ["ACTIVE", "WITHDRAW", conflict],
  ["ACTIVE", "DISBURSE", same],
  ["ACTIVE", "PAYOUT_PAID", same],
  ["ACTIVE", "PAYOUT_FAILED", conflict],
  ["ACTIVE", "PAID_OFF", move("CLOSED")],
  ["CLOSED", "ACCEPTED", same],
  ["CLOSED", "APPROVED", same],
  ["CLOSED", "REJECTED", conflict],
  ["CLOSED", "WITHDRAW", conflict],
  ["CLOSED", "DISBURSE", same],
  ["CLOSED", "PAYOUT_PAID", same],
  ["CLOSED", "PAYOUT_FAILED", conflict],
  ["CLOSED", "PAID_OFF", same],
  ["DISBURSEMENT_FAILED", "ACCEPTED", same],
  ["DISBURSEMENT_FAILED", "APPROVED", same],
  ["DISBURSEMENT_FAILED", "REJECTED", conflict],
  ["DISBURSEMENT_FAILED", "WITHDRAW", conflict],
  ["DISBURSEMENT_FAILED", "DISBURSE", same],
  ["DISBURSEMENT_FAILED", "PAYOUT_PAID", conflict],
  ["DISBURSEMENT_FAILED", "PAYOUT_FAILED", same],
  ["DISBURSEMENT_FAILED", "PAID_OFF", conflict],
];

const RANK: Record<AgreementStatus, number> = {
  NEW: 0,
  IN_PROGRESS: 1,
  APPROVED: 2,
  REJECTED: 2,
  WITHDRAWN: 3,
  DISBURSING: 3,
  ACTIVE: 4,
  DISBURSEMENT_FAILED: 4,
  CLOSED: 5,
};

describe("agreement transitions", () => {
  it.each(CASES)("%s + %s", (status, event, expected) => {
    expect(transition(status, event)).toEqual(expected);
  });

  it("the table covers every status and event", () => {
    expect(CASES).toHaveLength(AGREEMENT_STATUSES.length * AGREEMENT_EVENTS.length);
  });

  it("only ever moves forward, and never to the status it is in", () => {
    for (const s of AGREEMENT_STATUSES) {
      for (const e of AGREEMENT_EVENTS) {
        const t = transition(s, e);
        if (t.kind === "move") {
          expect(RANK[t.to]).toBeGreaterThan(RANK[s]);
          expect(t.to).not.toBe(s);
        }
      }
    }
  });

  it("applying an event twice is the same as applying it once", () => {
    for (const s of AGREEMENT_STATUSES) {
      for (const e of AGREEMENT_EVENTS) {
        const t = transition(s, e);
        if (t.kind === "move") expect(transition(t.to, e)).toEqual(same);
      }
    }
  });
});

describe("disbursement", () => {
  it("money moves only from APPROVED, and once it has, the agreement can no longer be withdrawn", () => {
    for (const s of AGREEMENT_STATUSES) {
      const t = transition(s, "DISBURSE");
      if (t.kind === "move") expect(s).toBe("APPROVED");
    }
    for (const s of ["DISBURSING", "ACTIVE", "CLOSED", "DISBURSEMENT_FAILED"] as const)
      expect(transition(s, "WITHDRAW")).toEqual(conflict);
  });

  it("a payout result is applied only while DISBURSING; PAID and FAILED contradict each other", () => {
    for (const s of AGREEMENT_STATUSES) {
      for (const e of ["PAYOUT_PAID", "PAYOUT_FAILED"] as const) {
        if (transition(s, e).kind === "move") expect(s).toBe("DISBURSING");
      }
    }
    expect(transition("ACTIVE", "PAYOUT_FAILED")).toEqual(conflict);
    expect(transition("DISBURSEMENT_FAILED", "PAYOUT_PAID")).toEqual(conflict);
  });
});
