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
});

export type PeErrorCode = keyof typeof peError.statuses;
