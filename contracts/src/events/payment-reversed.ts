import { defineEvent } from "@loans/shared/events/catalog";
import { z } from "zod";
import { EXAMPLE } from "../fields.ts";
import { date, id, money } from "./fields.ts";

/** PE reversed a payment the bank returned. Defined ahead of its emitter (returns are a later issue). */
export interface PaymentReversedData {
  paymentId: string;
  agreementId: string;
  amount: string;
  valueDate: string;
  reversedOn: string;
}

export const paymentReversedEvent = defineEvent<PaymentReversedData>()({
  type: "payment.reversed",
  source: "pe",
  version: 1,
  summary: "PE reversed a returned payment",
  subject: "the agreement id",
  emitted: false,
  data: z.object({ paymentId: id(), agreementId: id(), amount: money(), valueDate: date(), reversedOn: date() }),
  example: {
    subject: EXAMPLE.agreementId,
    businessdate: "2026-04-09",
    data: {
      paymentId: EXAMPLE.paymentId,
      agreementId: EXAMPLE.agreementId,
      amount: "27347.72",
      valueDate: "2026-04-06",
      reversedOn: "2026-04-09",
    },
  },
});
