import { defineErrors } from "@loans/shared";

/** PE's own error codes; the shared ones (NOT_FOUND, VALIDATION_FAILED, …) are in shared/src/http/errors.ts. */
export const peError = defineErrors({
  /** A passport already on record with another name or birth date. */
  CLIENT_MISMATCH: 409,
  /** POST /products with a code that exists. */
  PRODUCT_EXISTS: 409,
  /** A status change the agreement's status does not allow (transitions.ts). */
  INVALID_TRANSITION: 409,
  UNKNOWN_PRODUCT: 422,
  /** Amount, term, rate or fee outside the product's bounds, every broken bound listed. */
  OUT_OF_BOUNDS: 422,
  /** POST /agreements whose PSK under NONE is above the product's pskCeiling (EXCEPTIONS §3.11). */
  PSK_ABOVE_CEILING: 422,
  /** Item answers to the Payment Gateway's messages (the relay shows them; no public request gets them). */
  UNKNOWN_AGREEMENT: 422,
  UNKNOWN_PAYOUT: 422,
  /** A payout result that contradicts the status the agreement already has. */
  CONTRADICTION: 409,
  /** A payment for an agreement PE does not know as ACTIVE yet (PG's payout.settled still on its way). */
  NOT_ACTIVE_YET: 409,
  /** GET /agreements/{id}/payoff-quote for a loan that is not ACTIVE, or a date out of §2.5a's range. */
  QUOTE_NOT_AVAILABLE: 422,
  /** POST /admin/business-date on the system clock: its date is today's UTC date and cannot be moved. */
  CLOCK_NOT_MANUAL: 409,
  /** POST /admin/business-date with a date not strictly after the current one: the clock only goes forward. */
  DATE_NOT_AFTER_CURRENT: 422,
  /** PUT /admin/calendar/{year} that would make more than 14 non-working days in a row (EXCEPTIONS §3.8). */
  CALENDAR_INVALID: 422,
  /** POST /admin/business-date further ahead than BUSINESS_DATE_MAX_MOVE_DAYS: nothing moved, nothing run. */
  MOVE_TOO_FAR: 422,
});

export type PeErrorCode = keyof typeof peError.statuses;
