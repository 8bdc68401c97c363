import { pageLimit } from "@loans/shared/http/cursor";
import { Dec, moneyInput, rateInput } from "@loans/shared/money";
import { batchResults, messageBatch } from "@loans/shared/outbox";
import { z } from "zod";
import type { ApplicationStatus } from "../db.ts";

export const APPLICATION_STATUSES = [
  "IN_PROGRESS",
  "APPROVED",
  "REJECTED",
  "PAYMENT_PENDING",
  "WITHDRAWN",
  "ACTIVE",
  "CLOSED",
  "DISBURSEMENT_FAILED",
] as const satisfies readonly ApplicationStatus[];

// Years PostgreSQL's `date` stores without complaint and a person or a loan can plausibly have.
const calendarDate = () =>
  z.iso.date().refine((s) => {
    const year = Number(s.slice(0, 4));
    return year >= 1900 && year <= 9999;
  }, "must be a date between 1900-01-01 and 9999-12-31");

/**
 * The `agreement.created` message from PE: the wire contract, field for field. Amounts come as decimal
 * strings (a JSON number with at most two decimals is read the same way) and leave as canonical text.
 */
export const agreementCreatedPayload = z.object({
  agreementId: z.uuid(),
  clientId: z.uuid(),
  productCode: z.string().min(1).max(50),
  birthDate: calendarDate(),
  monthlyIncome: moneyInput({ allowZero: true }),
  principal: moneyInput(),
  termMonths: z.number().int().min(1).max(600),
  // numeric(7,4) in both databases.
  interestRate: rateInput().refine((r) => new Dec(r).lte("999.9999"), "must be at most 999.9999"),
  monthlyPayment: moneyInput(),
  lastDueDate: calendarDate(),
  /**
   * PE's business date at creation (LIFECYCLE §8.11), which the AGE rule reads. Optional: a PE from before
   * it sent none, and the application then takes the UTC date it arrived.
   */
  applicationDate: calendarDate().optional(),
});
export type AgreementCreated = z.output<typeof agreementCreatedPayload>;

export const reasonView = z.object({ code: z.string(), message: z.string() }).meta({ id: "Reason" });

export const decisionView = z
  .object({
    result: z.enum(["APPROVED", "REJECTED"]),
    reasons: z.array(reasonView),
    decidedAt: z.iso.datetime(),
  })
  .meta({ id: "Decision" });
export type DecisionView = z.output<typeof decisionView>;

/** What PE records for each `agreement.created` it delivered: the application's current state. */
export const intakeAnswer = z.object({
  status: z.enum(APPLICATION_STATUSES),
  decision: decisionView.nullable(),
});
export type IntakeAnswer = z.output<typeof intakeAnswer>;

/** The `application.decided` message to PE: the wire contract, field for field. */
export const applicationDecidedPayload = z.object({
  agreementId: z.uuid(),
  result: z.enum(["APPROVED", "REJECTED"]),
  reasons: z.array(reasonView),
  decidedAt: z.iso.datetime(),
});
export type ApplicationDecided = z.output<typeof applicationDecidedPayload>;

export const applicationView = z
  .object({
    agreementId: z.uuid(),
    clientId: z.uuid(),
    status: z.enum(APPLICATION_STATUSES),
    decision: decisionView.nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: "Application" });
export type ApplicationView = z.output<typeof applicationView>;

export const applicationParams = z.object({ agreementId: z.uuid() });

export const listQuery = z.object({
  status: z.enum(APPLICATION_STATUSES).optional(),
  limit: pageLimit(),
  cursor: z.string().min(1).max(200).optional().describe("nextCursor of the previous page, as it was given"),
});

export const applicationPage = z
  .object({
    items: z.array(applicationView),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: "ApplicationPage" });

/** The batch PE's relay posts; the envelope itself is checked by the shared batch endpoint. */
export const intakeBatch = messageBatch("agreement.created", agreementCreatedPayload);

export const intakeResults = batchResults(intakeAnswer);
