import { defineTopic } from "@loans/shared/outbox/topic";
import { z } from "zod";
import { canonicalId, EXAMPLE, reason } from "../fields.ts";
import { AGREEMENT_STATUSES, type DecisionResult } from "../statuses.ts";

/** What Origination sends when it has scored an application (Origination → PE, `/internal/decisions`). */
export interface ApplicationDecided {
  agreementId: string;
  result: DecisionResult;
  /** Every failing rule, in words: empty for an approval. */
  reasons: Array<{ code: string; message: string }>;
  decidedAt: string;
}

/** `application.decided`: PE applies the decision (a repeat or a late one changes nothing) and answers its status. */
export const applicationDecided = defineTopic<ApplicationDecided>()({
  name: "application.decided",
  version: 1,
  summary: "Origination decided an application: PE moves the agreement to APPROVED or REJECTED",
  payload: z.object({
    result: z.enum(["APPROVED", "REJECTED"]),
    reasons: z.array(reason).max(100),
    decidedAt: z.iso.datetime({ offset: true }),
    agreementId: canonicalId(),
  }),
  answer: z.object({ status: z.enum(AGREEMENT_STATUSES) }),
  example: {
    payload: {
      agreementId: EXAMPLE.agreementId,
      result: "APPROVED",
      reasons: [],
      decidedAt: "2026-11-29T17:40:00.180Z",
    },
    answer: { status: "APPROVED" },
  },
});
