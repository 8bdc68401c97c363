import { defineErrors } from "../http/errors.ts";

/** The four-eyes piece's own refusals (FORBIDDEN, a role that may not decide, is the operator guard's code). */
export const approvalError = defineErrors({
  SAME_OPERATOR: 403,
  APPROVAL_EXPIRED: 409,
  APPROVAL_DECIDED: 409,
});
