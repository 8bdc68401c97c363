import { defineErrors } from "@loans/shared";

/** Origination's own error codes; the shared ones (NOT_FOUND, VALIDATION_FAILED, …) are in shared/src/http/errors.ts. */
export const originationError = defineErrors({
  /** An agreement event for an agreement Origination never had an application for. */
  UNKNOWN_AGREEMENT: 422,
  /** An agreement event that contradicts the application's status (forward-only). */
  CONTRADICTION: 409,
});
