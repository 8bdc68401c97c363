/**
 * The life of an agreement in PE, as a pure table: current status × event → what happens.
 * Statuses only move forward: a late or repeated message is "same", a decision never flips once set
 * ("conflict"), and WITHDRAWN is final and outranks any decision.
 */

export const AGREEMENT_STATUSES = ["NEW", "IN_PROGRESS", "APPROVED", "REJECTED", "WITHDRAWN"] as const;
export type AgreementStatus = (typeof AGREEMENT_STATUSES)[number];

/**
 * ACCEPTED: Origination has the application and is working on it.
 * APPROVED / REJECTED: Origination's decision.
 * WITHDRAW: the client takes the application back.
 */
export const AGREEMENT_EVENTS = ["ACCEPTED", "APPROVED", "REJECTED", "WITHDRAW"] as const;
export type AgreementEvent = (typeof AGREEMENT_EVENTS)[number];

export type Transition = { kind: "move"; to: AgreementStatus } | { kind: "same" } | { kind: "conflict" };

const SAME = "same";
const CONFLICT = "conflict";
type Cell = AgreementStatus | typeof SAME | typeof CONFLICT;

// A decision may arrive while the agreement is still NEW: Origination's "in progress" answer to
// agreement.created was lost or overtaken. The agreement then moves straight to the decision, and its
// history records only the statuses it really entered here.
const TABLE: Record<AgreementStatus, Record<AgreementEvent, Cell>> = {
  NEW: { ACCEPTED: "IN_PROGRESS", APPROVED: "APPROVED", REJECTED: "REJECTED", WITHDRAW: "WITHDRAWN" },
  IN_PROGRESS: { ACCEPTED: SAME, APPROVED: "APPROVED", REJECTED: "REJECTED", WITHDRAW: "WITHDRAWN" },
  APPROVED: { ACCEPTED: SAME, APPROVED: SAME, REJECTED: CONFLICT, WITHDRAW: "WITHDRAWN" },
  REJECTED: { ACCEPTED: SAME, APPROVED: CONFLICT, REJECTED: SAME, WITHDRAW: CONFLICT },
  WITHDRAWN: { ACCEPTED: SAME, APPROVED: SAME, REJECTED: SAME, WITHDRAW: SAME },
};

export function transition(current: AgreementStatus, event: AgreementEvent): Transition {
  const cell = TABLE[current][event];
  if (cell === SAME) return { kind: "same" };
  if (cell === CONFLICT) return { kind: "conflict" };
  return { kind: "move", to: cell };
}
