import { pageLimit } from "@loans/shared/http/cursor";
import { moneyInput, moneyOutput } from "@loans/shared/money";
import { batchResults, messageBatch } from "@loans/shared/outbox";
import { z } from "zod";
import { PAYOUT_KINDS, PAYOUT_STATUSES } from "../db.ts";

export const accountNumber = () => z.string().regex(/^\d{20}$/, "must be 20 digits");

/** The `payout.requested` message from PE: the wire contract, field for field. */
export const payoutRequestedPayload = z.object({
  payoutId: z.uuid(),
  kind: z.enum(PAYOUT_KINDS),
  agreementId: z.uuid(),
  amount: moneyInput(),
  currency: z.literal("RUB"),
  destination: z.object({ accountNumber: accountNumber() }),
  sourcePaymentId: z.uuid().optional(),
});
export type PayoutRequested = z.output<typeof payoutRequestedPayload>;

/** PG's answer to `payout.requested`: the payout's current status; PE applies a final one. */
export const payoutAnswer = z.object({
  status: z.enum(PAYOUT_STATUSES),
  settledAt: z.iso.datetime().nullable(),
  failureCode: z.string().nullable(),
});
export type PayoutAnswer = z.output<typeof payoutAnswer>;

/** The `payout.settled` message to PE. */
export const payoutSettledPayload = z.object({
  payoutId: z.uuid(),
  kind: z.enum(PAYOUT_KINDS),
  agreementId: z.uuid(),
  amount: moneyOutput(),
  status: z.enum(["PAID", "FAILED"]),
  settledAt: z.iso.datetime(),
  failureCode: z.string().nullable(),
  failureMessage: z.string().nullable(),
});
export type PayoutSettled = z.output<typeof payoutSettledPayload>;

export const payoutView = z.object({
  id: z.uuid(),
  kind: z.enum(PAYOUT_KINDS),
  agreementId: z.uuid(),
  amount: moneyOutput(),
  currency: z.literal("RUB"),
  destination: z.object({ accountNumber: z.string() }),
  status: z.enum(PAYOUT_STATUSES),
  failureCode: z.string().nullable(),
  failureMessage: z.string().nullable(),
  createdAt: z.iso.datetime(),
  settledAt: z.iso.datetime().nullable(),
});
export type PayoutView = z.output<typeof payoutView>;

export const payoutParams = z.object({ id: z.uuid() });

export const listPayoutsQuery = z.strictObject({
  agreementId: z.uuid().optional(),
  status: z.enum(PAYOUT_STATUSES).optional(),
  kind: z.enum(PAYOUT_KINDS).optional(),
  limit: pageLimit(),
  cursor: z.string().min(1).max(200).optional().describe("nextCursor of the previous page, as it was given"),
});

export const payoutPage = z.object({ items: z.array(payoutView), nextCursor: z.string().nullable() });

export const payoutBatch = messageBatch("payout.requested", payoutRequestedPayload);

export const payoutResults = batchResults(payoutAnswer);
