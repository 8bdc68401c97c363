import { defineErrors } from "@loans/shared";

/** The Payment Gateway's own error codes; the shared ones are in shared/src/http/errors.ts. */
export const gatewayError = defineErrors({
  /** A payout id again with other data, or a second DISBURSEMENT for one agreement. */
  PAYOUT_CONFLICT: 409,
  /** An agreement status that contradicts the one PG already has (forward-only). */
  CONTRADICTION: 409,
});
