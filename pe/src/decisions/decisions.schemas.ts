import { z } from "zod";
import { uuidString } from "../http/inputs.ts";
import { AGREEMENT_STATUSES } from "../lifecycle/transitions.ts";

/** A decision as Origination sends it. Unknown fields are ignored: the peer may add some before we read them. */
export const decision = z.object({
  result: z.enum(["APPROVED", "REJECTED"]),
  reasons: z.array(z.object({ code: z.string().min(1).max(100), message: z.string().max(2000) })).max(100),
  decidedAt: z.iso.datetime({ offset: true }),
});

/** The `application.decided` message: the wire contract with Origination, field for field. */
export const applicationDecidedPayload = decision.extend({ agreementId: uuidString() });
export type ApplicationDecidedPayload = z.output<typeof applicationDecidedPayload>;

/**
 * Origination's answer to `agreement.created`: the application's status there, and its decision once made.
 * PAYMENT_PENDING is Origination's name for "approved, and PE has been told"; ACTIVE, CLOSED and
 * DISBURSEMENT_FAILED are PE's own later news coming back, each with the APPROVED decision.
 */
export const applicationAnswer = z
  .object({
    status: z.enum([
      "IN_PROGRESS",
      "APPROVED",
      "REJECTED",
      "PAYMENT_PENDING",
      "WITHDRAWN",
      "ACTIVE",
      "CLOSED",
      "DISBURSEMENT_FAILED",
    ]),
    decision: decision.nullable(),
  })
  .superRefine((a, ctx) => {
    const expected = {
      APPROVED: "APPROVED",
      PAYMENT_PENDING: "APPROVED",
      REJECTED: "REJECTED",
      ACTIVE: "APPROVED",
      CLOSED: "APPROVED",
      DISBURSEMENT_FAILED: "APPROVED",
    } as const;
    const wanted = expected[a.status as keyof typeof expected];
    if (wanted && a.decision?.result !== wanted)
      ctx.addIssue({ code: "custom", path: ["decision"], message: `status ${a.status} needs a ${wanted} decision` });
  });
export type ApplicationAnswer = z.output<typeof applicationAnswer>;

/** PE's answer to `application.decided`: the agreement's status once the decision is applied. */
export const decisionAnswer = z.object({ status: z.enum(AGREEMENT_STATUSES) });
