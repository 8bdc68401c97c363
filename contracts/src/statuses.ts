/**
 * Every aggregate's status list, defined once: the services' tables, schemas and transitions, and the
 * console's pages, import them from here. Plain constants: the console's bundle takes this file alone.
 */

/** PE's agreement (LIFECYCLE §1.1). The order is the life's order, as the API documents the enum. */
export const AGREEMENT_STATUSES = [
  "NEW",
  "IN_PROGRESS",
  "APPROVED",
  "REJECTED",
  "WITHDRAWN",
  "DISBURSING",
  "ACTIVE",
  "CLOSED",
  "DISBURSEMENT_FAILED",
] as const;
export type AgreementStatus = (typeof AGREEMENT_STATUSES)[number];

/** The statuses of a loan after its disbursement that PE announces (`agreement.status-changed`). */
export const ANNOUNCED_STATUSES = ["ACTIVE", "CLOSED", "DISBURSEMENT_FAILED"] as const;
export type AnnouncedStatus = (typeof ANNOUNCED_STATUSES)[number];

/** Origination's application (README, "Statuses"). */
export const APPLICATION_STATUSES = [
  "IN_PROGRESS",
  "APPROVED",
  "REJECTED",
  "PAYMENT_PENDING",
  "WITHDRAWN",
  "ACTIVE",
  "CLOSED",
  "DISBURSEMENT_FAILED",
] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

export const DECISION_RESULTS = ["APPROVED", "REJECTED"] as const;
export type DecisionResult = (typeof DECISION_RESULTS)[number];

/** PG's payout and its kinds. */
export const PAYOUT_STATUSES = ["PENDING", "IN_TRANSIT", "PAID", "FAILED"] as const;
export type PayoutStatus = (typeof PAYOUT_STATUSES)[number];
export const PAYOUT_KINDS = ["DISBURSEMENT", "REFUND"] as const;
export type PayoutKind = (typeof PAYOUT_KINDS)[number];
/** A payout's final statuses, as `payout.settled` reports them. */
export const SETTLED_STATUSES = ["PAID", "FAILED"] as const;

/** PG's payment and what it pays. */
export const PAYMENT_STATUSES = ["PROCESSING", "SUCCEEDED", "FAILED"] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];
export const PAYMENT_PURPOSES = ["REGULAR", "EARLY_REPAYMENT"] as const;
export type PaymentPurpose = (typeof PAYMENT_PURPOSES)[number];
