import { accountNumber, uuidInput } from "@loans/contracts/fields";
import { pageLimit } from "@loans/shared/http/cursor";
import { idempotencyKeyHeader } from "@loans/shared/http/idempotency";
import { moneyOutput, moneyText } from "@loans/shared/money";
import { z } from "zod";
import { PAYMENT_PURPOSES, PAYMENT_STATUSES } from "../db.ts";

const AMOUNT = "must be a decimal string from 0.01 to 100000000.00 with at most two fraction digits";

/**
 * A payment's amount: a string only (a JSON number would carry a binary fraction), 0.01 to
 * 100 000 000.00, two fraction digits at most; "10.5" becomes "10.50", so both are the same request.
 */
const paymentAmount = moneyText({ min: "0.01", max: "100000000.00", message: AMOUNT });

export const createPaymentBody = z.strictObject({
  agreementId: z.uuid(),
  amount: paymentAmount,
  purpose: z.enum(PAYMENT_PURPOSES).default("REGULAR"),
  payer: z.strictObject({ accountNumber: accountNumber() }),
});
export type CreatePayment = z.output<typeof createPaymentBody>;

export const createPaymentHeaders = z.object({
  "Idempotency-Key": idempotencyKeyHeader
    .unwrap()
    .describe(
      "required: makes the request safe to retry; the same key with the same body answers what the first " +
        "answered (with Idempotent-Replayed: true); kept at least 24 hours",
    ),
});

export const paymentView = z.object({
  id: z.uuid(),
  agreementId: z.uuid(),
  amount: moneyOutput(),
  purpose: z.enum(PAYMENT_PURPOSES),
  status: z.enum(PAYMENT_STATUSES),
  failureCode: z.string().nullable(),
  failureMessage: z.string().nullable(),
  createdAt: z.iso.datetime(),
  succeededAt: z.iso.datetime().nullable().describe("the bank's settlement instant: PE values the payment on it"),
});
export type PaymentView = z.output<typeof paymentView>;

export const paymentParams = z.object({ id: uuidInput() });

export const listPaymentsQuery = z.strictObject({
  agreementId: uuidInput().optional(),
  status: z.enum(PAYMENT_STATUSES).optional(),
  limit: pageLimit(),
  cursor: z.string().min(1).max(200).optional().describe("nextCursor of the previous page, as it was given"),
});

export const paymentPage = z.object({ items: z.array(paymentView), nextCursor: z.string().nullable() });
