/**
 * The life of an agreement in PE, as a pure table: current status × event → what happens.
 * Statuses only move forward: a late or repeated message is "same", a decision never flips once set
 * ("conflict"), WITHDRAWN is final and outranks any decision, and once money has moved (DISBURSING on)
 * the agreement can no longer be withdrawn.
 */

// The list is the contracts' (every service and the console read the one list).
import { AGREEMENT_STATUSES, type AgreementStatus } from "@loans/contracts/statuses";

export { AGREEMENT_STATUSES, type AgreementStatus };

/**
 * ACCEPTED: Origination has the application and is working on it.
 * APPROVED / REJECTED: Origination's decision.
 * WITHDRAW: the client takes the application back.
 * DISBURSE: the client asks for the money (POST /agreements/{id}/disburse).
 * PAYOUT_PAID / PAYOUT_FAILED: PG's final word on the DISBURSEMENT payout.
 * PAID_OFF: a payment or the daily job met every obligation (LIFECYCLE §2.6).
 */
export const AGREEMENT_EVENTS = [
  "ACCEPTED",
  "APPROVED",
  "REJECTED",
  "WITHDRAW",
  "DISBURSE",
  "PAYOUT_PAID",
  "PAYOUT_FAILED",
  "PAID_OFF",
] as const;
export type AgreementEvent = (typeof AGREEMENT_EVENTS)[number];

export type Transition = { kind: "move"; to: AgreementStatus } | { kind: "same" } | { kind: "conflict" };

const SAME = "same";
const CONFLICT = "conflict";
type Cell = AgreementStatus | typeof SAME | typeof CONFLICT;

// A decision may arrive while the agreement is still NEW: Origination's "in progress" answer to
// agreement.created was lost or overtaken. The agreement then moves straight to the decision, and its
// history records only the statuses it really entered here. After approval, a late decision or intake
// answer is acknowledged and changes nothing. A payout result with no payout ordered is a conflict.
// "Same" for DISBURSE answers as the first time only for the account already ordered (the service checks).
const TABLE: Record<AgreementStatus, Record<AgreementEvent, Cell>> = {
  NEW: {
    ACCEPTED: "IN_PROGRESS",
    APPROVED: "APPROVED",
    REJECTED: "REJECTED",
    WITHDRAW: "WITHDRAWN",
    DISBURSE: CONFLICT,
    PAYOUT_PAID: CONFLICT,
    PAYOUT_FAILED: CONFLICT,
    PAID_OFF: CONFLICT,
  },
  IN_PROGRESS: {
    ACCEPTED: SAME,
    APPROVED: "APPROVED",
    REJECTED: "REJECTED",
    WITHDRAW: "WITHDRAWN",
    DISBURSE: CONFLICT,
    PAYOUT_PAID: CONFLICT,
    PAYOUT_FAILED: CONFLICT,
    PAID_OFF: CONFLICT,
  },
  APPROVED: {
    ACCEPTED: SAME,
    APPROVED: SAME,
    REJECTED: CONFLICT,
    WITHDRAW: "WITHDRAWN",
    DISBURSE: "DISBURSING",
    PAYOUT_PAID: CONFLICT,
    PAYOUT_FAILED: CONFLICT,
    PAID_OFF: CONFLICT,
  },
  REJECTED: {
    ACCEPTED: SAME,
    APPROVED: CONFLICT,
    REJECTED: SAME,
    WITHDRAW: CONFLICT,
    DISBURSE: CONFLICT,
    PAYOUT_PAID: CONFLICT,
    PAYOUT_FAILED: CONFLICT,
    PAID_OFF: CONFLICT,
  },
  WITHDRAWN: {
    ACCEPTED: SAME,
    APPROVED: SAME,
    REJECTED: SAME,
    WITHDRAW: SAME,
    DISBURSE: CONFLICT,
    PAYOUT_PAID: CONFLICT,
    PAYOUT_FAILED: CONFLICT,
    PAID_OFF: CONFLICT,
  },
  DISBURSING: {
    ACCEPTED: SAME,
    APPROVED: SAME,
    REJECTED: CONFLICT,
    WITHDRAW: CONFLICT,
    DISBURSE: SAME,
    PAYOUT_PAID: "ACTIVE",
    PAYOUT_FAILED: "DISBURSEMENT_FAILED",
    PAID_OFF: CONFLICT,
  },
  ACTIVE: {
    ACCEPTED: SAME,
    APPROVED: SAME,
    REJECTED: CONFLICT,
    WITHDRAW: CONFLICT,
    DISBURSE: SAME,
    PAYOUT_PAID: SAME,
    PAYOUT_FAILED: CONFLICT,
    PAID_OFF: "CLOSED",
  },
  CLOSED: {
    ACCEPTED: SAME,
    APPROVED: SAME,
    REJECTED: CONFLICT,
    WITHDRAW: CONFLICT,
    DISBURSE: SAME,
    PAYOUT_PAID: SAME,
    PAYOUT_FAILED: CONFLICT,
    PAID_OFF: SAME,
  },
  DISBURSEMENT_FAILED: {
    ACCEPTED: SAME,
    APPROVED: SAME,
    REJECTED: CONFLICT,
    WITHDRAW: CONFLICT,
    DISBURSE: SAME,
    PAYOUT_PAID: CONFLICT,
    PAYOUT_FAILED: SAME,
    PAID_OFF: CONFLICT,
  },
};

export function transition(current: AgreementStatus, event: AgreementEvent): Transition {
  const cell = TABLE[current][event];
  if (cell === SAME) return { kind: "same" };
  if (cell === CONFLICT) return { kind: "conflict" };
  return { kind: "move", to: cell };
}
