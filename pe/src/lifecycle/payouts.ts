import { enqueue } from "@loans/shared/outbox/enqueue";
import type { Transaction } from "kysely";
import { z } from "zod";
import type { PeDB } from "../db.ts";
import { uuidString } from "../http/inputs.ts";

export const PAYOUT_REQUESTED_TOPIC = "payout.requested";
export const PAYOUT_SETTLED_TOPIC = "payout.settled";

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

/**
 * Writes `payout.requested` in the caller's transaction: the disbursement when an agreement enters
 * DISBURSING, a refund when a closed loan gives a payment's surplus back.
 */
export async function requestPayout(trx: Transaction<PeDB>, payload: PayoutRequestedPayload): Promise<void> {
  await enqueue(trx, { topic: PAYOUT_REQUESTED_TOPIC, aggregateId: payload.agreementId, payload: { ...payload } });
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
