import { describe, expect, it } from "vitest";
import {
  AGREEMENT_EVENTS,
  AGREEMENT_STATUSES,
  type AgreementEvent,
  type AgreementStatus,
  type Transition,
  transition,
} from "../src/agreements/transitions.ts";

const move = (to: AgreementStatus): Transition => ({ kind: "move", to });
const same: Transition = { kind: "same" };
const conflict: Transition = { kind: "conflict" };

// Every status × every event, written out: a change to the machine has to change this table.
const CASES: Array<[AgreementStatus, AgreementEvent, Transition]> = [
  ["NEW", "ACCEPTED", move("IN_PROGRESS")],
  ["NEW", "APPROVED", move("APPROVED")],
  ["NEW", "REJECTED", move("REJECTED")],
  ["NEW", "WITHDRAW", move("WITHDRAWN")],
  ["IN_PROGRESS", "ACCEPTED", same],
  ["IN_PROGRESS", "APPROVED", move("APPROVED")],
  ["IN_PROGRESS", "REJECTED", move("REJECTED")],
  ["IN_PROGRESS", "WITHDRAW", move("WITHDRAWN")],
  ["APPROVED", "ACCEPTED", same],
  ["APPROVED", "APPROVED", same],
  ["APPROVED", "REJECTED", conflict],
  ["APPROVED", "WITHDRAW", move("WITHDRAWN")],
  ["REJECTED", "ACCEPTED", same],
  ["REJECTED", "APPROVED", conflict],
  ["REJECTED", "REJECTED", same],
  ["REJECTED", "WITHDRAW", conflict],
  ["WITHDRAWN", "ACCEPTED", same],
  ["WITHDRAWN", "APPROVED", same],
  ["WITHDRAWN", "REJECTED", same],
  ["WITHDRAWN", "WITHDRAW", same],
];

const RANK: Record<AgreementStatus, number> = { NEW: 0, IN_PROGRESS: 1, APPROVED: 2, REJECTED: 2, WITHDRAWN: 3 };

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
