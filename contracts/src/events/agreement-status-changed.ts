import { defineEvent } from "@loans/shared/events/catalog";
import { z } from "zod";
import { EXAMPLE } from "../fields.ts";
import { AGREEMENT_STATUSES, type AgreementStatus } from "../statuses.ts";
import { type EventReason, eventReason, id, instant } from "./fields.ts";

/**
 * Every status move of an agreement, exactly one event per move (PE's lifecycle floor writes it with the
 * history row). `reason.code` is the lifecycle event that moved it (ACCEPTED, APPROVED, REJECTED, WITHDRAW,
 * DISBURSE, PAYOUT_PAID, PAYOUT_FAILED, PAID_OFF); a decision's reasons and a payout's failure are in words.
 */
export interface AgreementStatusChangedData {
  agreementId: string;
  from: AgreementStatus;
  to: AgreementStatus;
  reason: EventReason;
  /** A decision's failing rules (REJECTED), each a code and words; absent for other moves. */
  decisionReasons?: EventReason[];
  at: string;
}

export const agreementStatusChangedEvent = defineEvent<AgreementStatusChangedData>()({
  type: "agreement.status-changed",
  source: "pe",
  version: 1,
  summary: "An agreement moved from one status to another, with the reason",
  subject: "the agreement id",
  data: z.object({
    agreementId: id(),
    from: z.enum(AGREEMENT_STATUSES),
    to: z.enum(AGREEMENT_STATUSES),
    reason: eventReason,
    decisionReasons: z.array(eventReason).optional(),
    at: instant(),
  }),
  example: {
    subject: EXAMPLE.agreementId,
    businessdate: "2026-03-05",
    data: {
      agreementId: EXAMPLE.agreementId,
      from: "DISBURSING",
      to: "ACTIVE",
      reason: { code: "PAYOUT_PAID", message: "the disbursement was paid" },
      at: "2026-03-05T10:15:30.123Z",
    },
  },
});
