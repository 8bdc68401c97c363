import { defineErrors } from "@loans/shared";

/** The Payment Gateway's own error codes; the shared ones are in shared/src/http/errors.ts. */
export const gatewayError = defineErrors({
  /** A payout id again with other data, or a second DISBURSEMENT for one agreement. */
  PAYOUT_CONFLICT: 409,
  /**
   * A REFUND payout that no SUCCEEDED payment of its agreement covers: no such source payment, a smaller
   * one, or more refunded than paid in (LIFECYCLE §3.2 item 7).
   */
  REFUND_NOT_COVERED: 422,
  /** An agreement status that contradicts the one PG already has (forward-only). */
  CONTRADICTION: 409,
  /** POST /payments without the header: a payment must be safe to retry. */
  IDEMPOTENCY_KEY_REQUIRED: 400,
  /** PG has not paid the agreement's DISBURSEMENT, or PE announced the agreement CLOSED. */
  AGREEMENT_NOT_PAYABLE: 422,
});
