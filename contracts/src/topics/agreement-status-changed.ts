import { defineTopic } from "@loans/shared/outbox/topic";
import { z } from "zod";
import { canonicalId, EXAMPLE } from "../fields.ts";
import { ANNOUNCED_STATUSES, type AnnouncedStatus } from "../statuses.ts";

/** What PE sends when a loan moves after its disbursement (PE → Origination and PG, `/internal/agreement-events`). */
export interface AgreementStatusChanged {
  agreementId: string;
  status: AnnouncedStatus;
  /** The business date of the change: for ACTIVE, the disbursement date. */
  on: string;
  at: string;
}

/**
 * `agreement.status-changed`: ACTIVE, CLOSED or DISBURSEMENT_FAILED, sent by the payout's result, a payment
 * or the daily job that closes the loan. Each receiver keeps the status forward only and answers the
 * status it now records.
 */
export const agreementStatusChanged = defineTopic<AgreementStatusChanged>()({
  name: "agreement.status-changed",
  version: 1,
  summary: "A loan became ACTIVE, CLOSED or DISBURSEMENT_FAILED",
  payload: z.object({
    agreementId: canonicalId(),
    status: z.enum(ANNOUNCED_STATUSES),
    on: z.iso.date(),
    at: z.iso.datetime({ offset: true }),
  }),
  answer: z.object({ status: z.string() }),
  example: {
    payload: {
      agreementId: EXAMPLE.agreementId,
      status: "ACTIVE",
      on: "2026-11-29",
      at: "2026-11-29T17:40:00.180Z",
    },
    answer: { status: "ACTIVE" },
  },
});
