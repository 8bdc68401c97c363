import { moneyInput, moneyOutput, rateInput } from "@loans/shared/money";
import { z } from "zod";
import { clientInput } from "../clients/clients.schemas.ts";
import { disbursementView } from "../disbursement/disbursement.schemas.ts";
import { uuidString, wholeNumber } from "../http/inputs.ts";
import { MAX_TERM_MONTHS, productCode } from "../products/products.schemas.ts";
import { decodeCursor } from "./agreements.cursor.ts";
import { AGREEMENT_STATUSES } from "./transitions.ts";

export const createAgreementBody = z.strictObject({
  productCode: productCode(),
  client: clientInput,
  disbursementAmount: moneyInput(),
  termMonths: wholeNumber(1, MAX_TERM_MONTHS),
  interestRate: rateInput(),
  originationFee: moneyInput({ allowZero: true }).optional(),
});
export type CreateAgreementInput = z.output<typeof createAgreementBody>;

export const createAgreementHeaders = z.object({
  "Idempotency-Key": z
    .string()
    .regex(/^[\x21-\x7e]{1,200}$/, "must be 1 to 200 visible ASCII characters")
    .optional(),
});

export const listAgreementsQuery = z.strictObject({
  status: z.enum(AGREEMENT_STATUSES).optional(),
  clientId: uuidString().optional(),
  limit: z
    .string()
    .regex(/^\d{1,3}$/, "must be a whole number from 1 to 100")
    .transform(Number)
    .pipe(z.number().min(1, "must be from 1 to 100").max(100, "must be from 1 to 100"))
    .optional(),
  cursor: z
    .string()
    .max(500)
    .transform((s, ctx) => {
      const c = decodeCursor(s);
      if (!c) ctx.addIssue({ code: "custom", message: "is not a cursor this endpoint gave out" });
      return c ?? z.NEVER;
    })
    .optional(),
});

const statusSchema = z.enum(AGREEMENT_STATUSES);

export const decisionView = z.object({
  result: z.enum(["APPROVED", "REJECTED"]),
  reasons: z.array(z.object({ code: z.string(), message: z.string() })),
  decidedAt: z.string(),
});

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
});
export type AgreementSummary = z.output<typeof agreementSummary>;

export const scheduleRowView = z.object({
  period: z.number().int(),
  dueDate: z.string(),
  payment: moneyOutput(),
  principal: moneyOutput(),
  interest: moneyOutput(),
  balance: moneyOutput(),
  status: z.string(),
});

export const agreementResponse = agreementSummary.extend({
  statusHistory: z.array(z.object({ status: statusSchema, at: z.string() })),
  /** Null while the schedule is indicative (dated from creation); the disbursement date once re-anchored. */
  scheduleAnchoredOn: z.string().nullable(),
  disbursement: disbursementView.nullable(),
  schedule: z.array(scheduleRowView),
});
export type AgreementResponse = z.output<typeof agreementResponse>;

export const agreementListResponse = z.object({
  items: z.array(agreementSummary),
  nextCursor: z.string().nullable(),
});

/** The `agreement.created` message: the wire contract with Origination, field for field. */
export const agreementCreatedPayload = z.object({
  agreementId: z.string(),
  clientId: z.string(),
  productCode: z.string(),
  birthDate: z.string(),
  monthlyIncome: moneyOutput(),
  principal: moneyOutput(),
  termMonths: z.number().int(),
  interestRate: z.string(),
  monthlyPayment: moneyOutput(),
  lastDueDate: z.string(),
});
export type AgreementCreatedPayload = z.output<typeof agreementCreatedPayload>;
