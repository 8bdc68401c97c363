import { defineTopic } from "@loans/shared/outbox/topic";
import { z } from "zod";
import { canonicalId, EXAMPLE_DISBURSEMENT } from "../fields.ts";
import { AGREEMENT_STATUSES, PAYOUT_KINDS, type PayoutKind, SETTLED_STATUSES } from "../statuses.ts";

/** What PG sends when the bank has paid a payout or refused it (PG → PE, `/internal/payout-results`). */
export interface PayoutSettled {
  payoutId: string;
  kind: PayoutKind;
  agreementId: string;
  amount: string;
  status: (typeof SETTLED_STATUSES)[number];
  /** The bank's instant: a disbursement's date is this instant's UTC date. */
  settledAt: string;
  failureCode: string | null;
  failureMessage: string | null;
}

/**
 * `payout.settled`: PE applies the outcome (ACTIVE or DISBURSEMENT_FAILED for a disbursement) and answers
 * the agreement's status.
 */
export const payoutSettled = defineTopic<PayoutSettled>()({
  name: "payout.settled",
  version: 1,
  summary: "PG's payout is final: PAID or FAILED, at the bank's instant",
  payload: z.object({
    payoutId: canonicalId(),
    kind: z.enum(PAYOUT_KINDS),
    agreementId: canonicalId(),
    amount: z.string(),
    status: z.enum(SETTLED_STATUSES),
    settledAt: z.iso.datetime({ offset: true }),
    failureCode: z.string().max(100).nullable().optional(),
    failureMessage: z.string().max(2000).nullable().optional(),
  }),
  answer: z.object({ agreementStatus: z.enum(AGREEMENT_STATUSES) }),
  example: {
    payload: {
      ...EXAMPLE_DISBURSEMENT,
      status: "PAID",
      settledAt: "2026-11-29T17:40:00.180Z",
      failureCode: null,
      failureMessage: null,
    },
    answer: { agreementStatus: "ACTIVE" },
  },
});
