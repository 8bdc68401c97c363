import { moneyInput } from "@loans/shared/money";
import { defineTopic } from "@loans/shared/outbox/topic";
import { z } from "zod";
import { accountNumber, canonicalId, EXAMPLE_DISBURSEMENT } from "../fields.ts";
import { PAYOUT_KINDS, PAYOUT_STATUSES, type PayoutKind } from "../statuses.ts";

/** What PE sends to have money paid out (PE → PG, `/internal/payouts`). */
export interface PayoutRequested {
  /** PE's id for the payout, the same on every retry: PG's payout id and the bank's transfer id. */
  payoutId: string;
  kind: PayoutKind;
  agreementId: string;
  amount: string;
  currency: "RUB";
  destination: { accountNumber: string };
  /** A REFUND's payment, whose payer gets the money back. */
  sourcePaymentId?: string;
}

/**
 * `payout.requested`: a DISBURSEMENT or a REFUND. PG answers the payout's current status; PE applies a
 * final one as it would `payout.settled` (whichever comes first applies it). PENDING and IN_TRANSIT carry
 * no outcome; PAID and FAILED carry `settledAt` (the check is the reader's: PE's applyPayoutAnswer).
 */
export const payoutRequested = defineTopic<PayoutRequested>()({
  name: "payout.requested",
  version: 1,
  summary: "PE orders a payout: a loan's disbursement or the refund of a payment",
  payload: z.object({
    payoutId: canonicalId(),
    kind: z.enum(PAYOUT_KINDS),
    agreementId: canonicalId(),
    amount: moneyInput(),
    currency: z.literal("RUB"),
    destination: z.object({ accountNumber: accountNumber() }),
    sourcePaymentId: canonicalId().optional(),
  }),
  answer: z.object({
    status: z.enum(PAYOUT_STATUSES),
    settledAt: z.iso.datetime({ offset: true }).nullable().optional(),
    failureCode: z.string().max(100).nullable().optional(),
  }),
  example: {
    payload: {
      ...EXAMPLE_DISBURSEMENT,
      currency: "RUB",
      destination: { accountNumber: "40817810000000000001" },
    },
    answer: { status: "PENDING", settledAt: null, failureCode: null },
  },
});
