import { defineEvent } from "@loans/shared/events/catalog";
import { z } from "zod";
import { EXAMPLE } from "../fields.ts";
import { PAYOUT_KINDS, type PayoutKind, SETTLED_STATUSES } from "../statuses.ts";
import { id, instant, money } from "./fields.ts";

/** PG's payout is final: PAID, or FAILED with the bank's code. The destination account is not carried. */
export interface PayoutSettledData {
  payoutId: string;
  kind: PayoutKind;
  agreementId: string;
  amount: string;
  status: (typeof SETTLED_STATUSES)[number];
  settledAt: string;
  failureCode: string | null;
  failureMessage: string | null;
}

export const payoutSettledEvent = defineEvent<PayoutSettledData>()({
  type: "payout.settled",
  source: "gateway",
  version: 1,
  summary: "A payout is PAID or FAILED",
  subject: "the agreement id",
  data: z.object({
    payoutId: id(),
    kind: z.enum(PAYOUT_KINDS),
    agreementId: id(),
    amount: money(),
    status: z.enum(SETTLED_STATUSES),
    settledAt: instant(),
    failureCode: z.string().nullable(),
    failureMessage: z.string().nullable(),
  }),
  example: {
    subject: EXAMPLE.agreementId,
    data: {
      payoutId: EXAMPLE.payoutId,
      kind: "DISBURSEMENT",
      agreementId: EXAMPLE.agreementId,
      amount: "300000.00",
      status: "PAID",
      settledAt: "2026-03-05T10:15:30.180Z",
      failureCode: null,
      failureMessage: null,
    },
  },
});
