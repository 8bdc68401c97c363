import { defineEvent } from "@loans/shared/events/catalog";
import { z } from "zod";
import { EXAMPLE } from "../fields.ts";
import type { PaymentPurpose } from "../statuses.ts";
import { instant } from "./fields.ts";
import { paymentFields } from "./payment-fields.ts";

/** An incoming payment the bank refused: no money moved. */
export interface PaymentFailedData {
  paymentId: string;
  agreementId: string;
  amount: string;
  purpose: PaymentPurpose;
  failedAt: string;
  failureCode: string | null;
  failureMessage: string | null;
}

export const paymentFailedEvent = defineEvent<PaymentFailedData>()({
  type: "payment.failed",
  source: "gateway",
  version: 1,
  summary: "An incoming payment failed at the bank",
  subject: "the agreement id",
  data: z.object({
    ...paymentFields,
    failedAt: instant(),
    failureCode: z.string().nullable(),
    failureMessage: z.string().nullable(),
  }),
  example: {
    subject: EXAMPLE.agreementId,
    data: {
      paymentId: EXAMPLE.paymentId,
      agreementId: EXAMPLE.agreementId,
      amount: "27347.72",
      purpose: "REGULAR",
      failedAt: "2026-04-06T09:00:00.000Z",
      failureCode: "insufficient_funds",
      failureMessage: null,
    },
  },
});
