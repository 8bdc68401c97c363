import type { ApplicationStatus } from "../db.ts";

/**
 * An application × PE's report of its loan (LIFECYCLE §1.4), as a pure table; forward only.
 * APPROVED moves too, not only PAYMENT_PENDING: PE's acknowledgement of the decision may still be in
 * flight, and when it lands it leaves ACTIVE as it is (decision-ack.ts moves only APPROVED).
 * A report that cannot follow what Origination knows (a loan for a rejected or withdrawn application,
 * ACTIVE after DISBURSEMENT_FAILED) is a contradiction, refused for its item.
 */
export type LoanStatus = "ACTIVE" | "CLOSED" | "DISBURSEMENT_FAILED";
export type LoanTransition = { kind: "move"; to: LoanStatus } | { kind: "same" } | { kind: "contradiction" };

const move = (to: LoanStatus): LoanTransition => ({ kind: "move", to });
const same: LoanTransition = { kind: "same" };
const contradiction: LoanTransition = { kind: "contradiction" };

const TABLE: Record<ApplicationStatus, Record<LoanStatus, LoanTransition>> = {
  IN_PROGRESS: { ACTIVE: contradiction, CLOSED: contradiction, DISBURSEMENT_FAILED: contradiction },
  APPROVED: { ACTIVE: move("ACTIVE"), CLOSED: move("CLOSED"), DISBURSEMENT_FAILED: move("DISBURSEMENT_FAILED") },
  PAYMENT_PENDING: {
    ACTIVE: move("ACTIVE"),
    CLOSED: move("CLOSED"),
    DISBURSEMENT_FAILED: move("DISBURSEMENT_FAILED"),
  },
  REJECTED: { ACTIVE: contradiction, CLOSED: contradiction, DISBURSEMENT_FAILED: contradiction },
  WITHDRAWN: { ACTIVE: contradiction, CLOSED: contradiction, DISBURSEMENT_FAILED: contradiction },
  ACTIVE: { ACTIVE: same, CLOSED: move("CLOSED"), DISBURSEMENT_FAILED: contradiction },
  CLOSED: { ACTIVE: same, CLOSED: same, DISBURSEMENT_FAILED: contradiction },
  DISBURSEMENT_FAILED: { ACTIVE: contradiction, CLOSED: contradiction, DISBURSEMENT_FAILED: same },
};

export const loanTransition = (current: ApplicationStatus, reported: LoanStatus): LoanTransition =>
  TABLE[current][reported];
