import { payoutRequested } from "@loans/contracts";
import { uuidInput } from "@loans/contracts/fields";
import { pageLimit } from "@loans/shared/http/cursor";
import { moneyOutput } from "@loans/shared/money";
import { batchResults, messageBatch } from "@loans/shared/outbox";
import { z } from "zod";
import { PAYOUT_KINDS, PAYOUT_STATUSES } from "../db.ts";

/** PG's answer to `payout.requested`: the payout's current status; PE applies a final one. */
export const payoutAnswer = z.object({
  status: z.enum(PAYOUT_STATUSES),
  settledAt: z.iso.datetime().nullable(),
  failureCode: z.string().nullable(),
});
export type PayoutAnswer = z.output<typeof payoutAnswer>;

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

export const payoutParams = z.object({ id: uuidInput() });

export const listPayoutsQuery = z.strictObject({
  agreementId: uuidInput().optional(),
  status: z.enum(PAYOUT_STATUSES).optional(),
  kind: z.enum(PAYOUT_KINDS).optional(),
  limit: pageLimit(),
  cursor: z.string().min(1).max(200).optional().describe("nextCursor of the previous page, as it was given"),
});

export const payoutPage = z.object({ items: z.array(payoutView), nextCursor: z.string().nullable() });

export const payoutBatch = messageBatch(payoutRequested);

export const payoutResults = batchResults(payoutAnswer);
