import { moneyText } from "@loans/shared/money";
import { defineTopic } from "@loans/shared/outbox/topic";
import { z } from "zod";
import { accountNumber, canonicalId, EXAMPLE } from "../fields.ts";
import { PAYMENT_PURPOSES, type PaymentPurpose } from "../statuses.ts";

/** What PG sends when the bank has collected a client's payment (PG → PE, `/internal/payments`). */
export interface PaymentSucceeded {
  paymentId: string;
  agreementId: string;
  amount: string;
  purpose: PaymentPurpose;
  payer: { accountNumber: string };
  /** The bank's instant: PE values the payment on the business date in effect then. */
  succeededAt: string;
}

/**
 * `payment.succeeded` (LIFECYCLE §2.1): PE applies the payment once, by PG's payment id, and answers the
 * business date it was valued on and how it was allocated. Before PE knows the loan ACTIVE the item is
 * answered `retry`.
 */
export const paymentSucceeded = defineTopic<PaymentSucceeded>()({
  name: "payment.succeeded",
  version: 1,
  summary: "A client's payment reached the lender: PE applies it to the loan",
  payload: z.object({
    paymentId: canonicalId(),
    agreementId: canonicalId(),
    amount: moneyText({
      min: "0.01",
      max: "999999999999.99",
      exactCents: true,
      message: "must be an amount from 0.01 with two decimals",
    }),
    purpose: z.enum(PAYMENT_PURPOSES),
    payer: z.object({ accountNumber: accountNumber() }),
    succeededAt: z.iso.datetime({ offset: true }),
  }),
  answer: z.object({ appliedOn: z.iso.date(), allocation: z.record(z.string(), z.string()) }),
  example: {
    payload: {
      paymentId: EXAMPLE.paymentId,
      agreementId: EXAMPLE.agreementId,
      amount: "27170.27",
      purpose: "REGULAR",
      payer: { accountNumber: "40817810000000000001" },
      succeededAt: "2026-12-29T10:00:00.000Z",
    },
    answer: {
      appliedOn: "2026-12-29",
      allocation: { interest: "3177.08", principal: "23993.19", penalty: "0.00", unapplied: "0.00", refunded: "0.00" },
    },
  },
});
