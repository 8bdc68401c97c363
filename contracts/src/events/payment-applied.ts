import { defineEvent } from "@loans/shared/events/catalog";
import { z } from "zod";
import { EXAMPLE } from "../fields.ts";
import { date, id, money } from "./fields.ts";

/** PE applied a client's payment: valued on `valueDate`, split as `allocation` (on the value date). */
export interface PaymentAppliedData {
  paymentId: string;
  agreementId: string;
  amount: string;
  purpose: "REGULAR" | "EARLY_REPAYMENT";
  valueDate: string;
  allocation: { interest: string; principal: string; penalty: string; unapplied: string; refunded: string };
}

export const paymentAppliedEvent = defineEvent<PaymentAppliedData>()({
  type: "payment.applied",
  source: "pe",
  version: 1,
  summary: "PE applied a payment: its value date and allocation",
  subject: "the agreement id (all of a loan's events in one order)",
  data: z.object({
    paymentId: id(),
    agreementId: id(),
    amount: money(),
    purpose: z.enum(["REGULAR", "EARLY_REPAYMENT"]),
    valueDate: date(),
    allocation: z.object({
      interest: money(),
      principal: money(),
      penalty: money(),
      unapplied: money(),
      refunded: money(),
    }),
  }),
  example: {
    subject: EXAMPLE.agreementId,
    businessdate: "2026-04-06",
    data: {
      paymentId: EXAMPLE.paymentId,
      agreementId: EXAMPLE.agreementId,
      amount: "27347.72",
      purpose: "REGULAR",
      valueDate: "2026-04-06",
      allocation: {
        interest: "3860.75",
        principal: "23486.97",
        penalty: "0.00",
        unapplied: "0.00",
        refunded: "0.00",
      },
    },
  },
});
