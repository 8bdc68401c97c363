import { canonicalId } from "@loans/contracts/fields";
import { pageLimit } from "@loans/shared/http/cursor";
import { idempotencyKeyHeader } from "@loans/shared/http/idempotency";
import { moneyInput, moneyOutput, rateInput } from "@loans/shared/money";
import { z } from "zod";
import { wholeNumber } from "../http/inputs.ts";
import { AGREEMENT_STATUSES } from "../lifecycle/transitions.ts";
import { clientInput } from "../records/clients.schemas.ts";
import { MAX_TERM_MONTHS, productCode } from "../records/product-code.ts";
import { decodeCursor } from "./agreements.cursor.ts";

export const createAgreementBody = z
  .strictObject({
    productCode: productCode(),
    client: clientInput,
    disbursementAmount: moneyInput(),
    termMonths: wholeNumber(1, MAX_TERM_MONTHS),
    interestRate: rateInput(),
    originationFee: moneyInput({ allowZero: true }).optional(),
  })
  .meta({ id: "AgreementRequest" });
export type CreateAgreementInput = z.output<typeof createAgreementBody>;

export const createAgreementHeaders = z.object({
  "Idempotency-Key": idempotencyKeyHeader,
});

export const listAgreementsQuery = z.strictObject({
  status: z.enum(AGREEMENT_STATUSES).optional(),
  clientId: canonicalId().optional(),
  passportEndsWith: z
    .string()
    .regex(/^\d{2,4}$/, "must be the last 2 to 4 digits of a passport number")
    .optional()
    .describe("the client's passport number ends with these digits (the logs show the last two)"),
  limit: pageLimit(),
  cursor: z
    .string()
    .max(500)
    .transform((s, ctx) => {
      const c = decodeCursor(s);
      if (!c) ctx.addIssue({ code: "custom", message: "is not a cursor this endpoint gave out" });
      return c ?? z.NEVER;
    })
    .optional()
    .describe("nextCursor of the previous page, as it was given"),
});

const statusSchema = z.enum(AGREEMENT_STATUSES);

export const disbursementView = z.object({
  id: z.string(),
  status: z.enum(["REQUESTED", "PAID", "FAILED"]),
  amount: moneyOutput(),
  accountNumber: z.string(),
  requestedOn: z.string(),
  disbursedOn: z.string().nullable(),
  failureCode: z.string().nullable(),
});

export const decisionView = z
  .object({
    result: z.enum(["APPROVED", "REJECTED"]),
    reasons: z.array(z.object({ code: z.string(), message: z.string() })),
    decidedAt: z.string(),
  })
  .meta({ id: "Decision" });

export const pskView = z
  .object({
    percent: z
      .string()
      .regex(/^\d+\.\d{3}$/)
      .describe("percent a year, three decimals (353-FZ art. 6)"),
    amount: moneyOutput().describe("Σ the client's payments − disbursementAmount, in roubles"),
    final: z.boolean().describe("false while indicative (dated from the creation), true from the disbursement on"),
    scheduleVersion: z.number().int().describe("the schedule version it was computed on"),
  })
  .meta({ id: "Psk", description: "the full cost of credit (EXCEPTIONS §2.4, §3.11)" });

export const agreementSummary = z.object({
  id: z.string(),
  clientId: z.string(),
  productCode: z.string(),
  status: statusSchema,
  disbursementAmount: moneyOutput(),
  originationFee: moneyOutput(),
  principal: moneyOutput(),
  termMonths: z.number().int(),
  interestRate: z.string(),
  monthlyPayment: moneyOutput(),
  createdAt: z.string(),
  updatedAt: z.string(),
  decision: decisionView.nullable(),
  /** Null only on an agreement created before the PSK was kept (0009_psk.sql), until it is next recomputed. */
  psk: pskView.nullable(),
});
export type AgreementSummary = z.output<typeof agreementSummary>;

export const scheduleRowView = z
  .object({
    period: z.number().int(),
    /** The nominal end of the period: start + k months (EXCEPTIONS §2.4); bounds the payoff accrual. */
    periodEnd: z.string(),
    /** When it falls due: periodEnd, or the first working day after it under NEXT_WORKING_DAY. */
    dueDate: z.string(),
    payment: moneyOutput(),
    principal: moneyOutput(),
    interest: moneyOutput(),
    balance: moneyOutput(),
    status: z.enum(["PENDING", "PARTIALLY_PAID", "PAID", "OVERDUE"]),
    paidPrincipal: moneyOutput(),
    paidInterest: moneyOutput(),
    /** Penalty posted on the period so far (cumulative rounding, LIFECYCLE §2.4). */
    penalty: moneyOutput(),
    paidPenalty: moneyOutput(),
    paidOn: z.string().nullable(),
  })
  .meta({ id: "SchedulePayment" });

export const balancesView = z
  .object({
    principalOutstanding: moneyOutput(),
    principalOverdue: moneyOutput(),
    interestOverdue: moneyOutput(),
    penaltyOutstanding: moneyOutput(),
    unappliedFunds: moneyOutput(),
    totalDue: moneyOutput(),
  })
  .meta({ id: "Balances" });

export const delinquencyView = z
  .object({
    daysPastDue: z.number().int(),
    bucket: z.enum(["CURRENT", "DPD_1_30", "DPD_31_60", "DPD_61_90", "DPD_90_PLUS"]),
    oldestUnpaidDueDate: z.string().nullable(),
  })
  .meta({ id: "Delinquency" });

export const refundView = z
  .object({
    paymentId: z.string(),
    payoutId: z.string(),
    amount: moneyOutput(),
    status: z.enum(["PENDING", "PAID", "FAILED"]),
    createdAt: z.string(),
    settledAt: z.string().nullable(),
  })
  .meta({ id: "Refund" });

export const agreementResponse = agreementSummary
  .extend({
    statusHistory: z.array(z.object({ status: statusSchema, at: z.string() })),
    /** Null while the schedule is indicative (dated from creation); the disbursement date once re-anchored. */
    scheduleAnchoredOn: z.string().nullable(),
    disbursement: disbursementView.nullable(),
    /** PE's business date the figures are computed on; null where the answer does not compute them. */
    businessDate: z.string().nullable(),
    scheduleVersion: z.number().int(),
    /** Null until the loan is disbursed. */
    balances: balancesView.nullable(),
    delinquency: delinquencyView.nullable(),
    /** The next unpaid period's payment in the current schedule version (null unless ACTIVE). */
    currentPayment: moneyOutput().nullable(),
    closedOn: z.string().nullable(),
    refunds: z.array(refundView),
    schedule: z.array(scheduleRowView),
  })
  .meta({ id: "Agreement" });
export type AgreementResponse = z.output<typeof agreementResponse>;

export const agreementCounts = z
  .object({
    counts: z.object(
      Object.fromEntries(AGREEMENT_STATUSES.map((s) => [s, z.number().int()])) as Record<
        (typeof AGREEMENT_STATUSES)[number],
        z.ZodNumber
      >,
    ),
  })
  .meta({ id: "AgreementCounts" });

export const agreementListResponse = z
  .object({
    items: z.array(agreementSummary.meta({ id: "AgreementSummary" })),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: "AgreementPage" });
