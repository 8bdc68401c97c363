import { moneyOutput } from "@loans/shared/money";
import { z } from "zod";
import { uuidString } from "../http/inputs.ts";

export const PAYOUT_REQUESTED_TOPIC = "payout.requested";
export const PAYOUT_SETTLED_TOPIC = "payout.settled";
export const STATUS_CHANGED_TOPIC = "agreement.status-changed";

export const disburseBody = z.strictObject({
  destination: z.strictObject({
    accountNumber: z.string().regex(/^\d{20}$/, "must be 20 digits"),
  }),
});
export type DisburseInput = z.output<typeof disburseBody>;

/** The `payout.requested` message to PG: the wire contract, field for field. */
export interface PayoutRequestedPayload {
  payoutId: string;
  kind: "DISBURSEMENT" | "REFUND";
  agreementId: string;
  amount: string;
  currency: "RUB";
  destination: { accountNumber: string };
  /** A REFUND's payment, whose payer gets the money back. */
  sourcePaymentId?: string;
}

/** The `payout.settled` message from PG. Unknown fields are ignored. */
export const payoutSettledPayload = z.object({
  payoutId: uuidString(),
  kind: z.enum(["DISBURSEMENT", "REFUND"]),
  agreementId: uuidString(),
  amount: z.string(),
  status: z.enum(["PAID", "FAILED"]),
  settledAt: z.iso.datetime({ offset: true }),
  failureCode: z.string().max(100).nullable().optional(),
  failureMessage: z.string().max(2000).nullable().optional(),
});
export type PayoutSettledPayload = z.output<typeof payoutSettledPayload>;

/** PG's answer to `payout.requested`: the payout's current status, with its outcome once final. */
export const payoutAnswer = z.discriminatedUnion("status", [
  z.object({ status: z.enum(["PENDING", "IN_TRANSIT"]) }),
  z.object({
    status: z.enum(["PAID", "FAILED"]),
    settledAt: z.iso.datetime({ offset: true }),
    failureCode: z.string().max(100).nullable().optional(),
  }),
]);

/** The `agreement.status-changed` message to Origination (and PG): the wire contract, field for field. */
export interface StatusChangedPayload {
  agreementId: string;
  status: "ACTIVE" | "CLOSED" | "DISBURSEMENT_FAILED";
  /** The business date of the change: for ACTIVE, the disbursement date. */
  on: string;
  at: string;
}

export const disbursementView = z.object({
  id: z.string(),
  status: z.enum(["REQUESTED", "PAID", "FAILED"]),
  amount: moneyOutput(),
  accountNumber: z.string(),
  requestedOn: z.string(),
  disbursedOn: z.string().nullable(),
  failureCode: z.string().nullable(),
});
