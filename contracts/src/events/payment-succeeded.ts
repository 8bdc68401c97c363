import { defineEvent } from "@loans/shared/events/catalog";
import { z } from "zod";
import { EXAMPLE } from "../fields.ts";
import type { PaymentPurpose } from "../statuses.ts";
import { instant } from "./fields.ts";
import { paymentFields } from "./payment-fields.ts";

/** An incoming payment collected by the bank. The payer's account is not carried. */
export interface PaymentSucceededData {
  paymentId: string;
  agreementId: string;
  amount: string;
  purpose: PaymentPurpose;
  succeededAt: string;
}

export const paymentSucceededEvent = defineEvent<PaymentSucceededData>()({
  type: "payment.succeeded",
  source: "gateway",
  version: 1,
  summary: "An incoming payment was collected",
  subject: "the agreement id",
  data: z.object({ ...paymentFields, succeededAt: instant() }),
  example: {
    subject: EXAMPLE.agreementId,
    data: {
      paymentId: EXAMPLE.paymentId,
      agreementId: EXAMPLE.agreementId,
      amount: "27347.72",
      purpose: "REGULAR",
      succeededAt: "2026-04-06T09:00:00.000Z",
    },
  },
});
