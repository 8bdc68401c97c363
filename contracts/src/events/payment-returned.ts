import { defineEvent } from "@loans/shared/events/catalog";
import { z } from "zod";
import { EXAMPLE } from "../fields.ts";
import { id, instant, money } from "./fields.ts";

/** The bank took back a payment it had collected. Defined ahead of its emitter (returns are a later issue). */
export interface PaymentReturnedData {
  paymentId: string;
  agreementId: string;
  amount: string;
  returnedAt: string;
  returnCode: string;
}

export const paymentReturnedEvent = defineEvent<PaymentReturnedData>()({
  type: "payment.returned",
  source: "gateway",
  version: 1,
  summary: "A collected payment was returned by the bank",
  subject: "the agreement id",
  emitted: false,
  data: z.object({
    paymentId: id(),
    agreementId: id(),
    amount: money(),
    returnedAt: instant(),
    returnCode: z.string(),
  }),
  example: {
    subject: EXAMPLE.agreementId,
    data: {
      paymentId: EXAMPLE.paymentId,
      agreementId: EXAMPLE.agreementId,
      amount: "27347.72",
      returnedAt: "2026-04-09T09:00:00.000Z",
      returnCode: "R01",
    },
  },
});
