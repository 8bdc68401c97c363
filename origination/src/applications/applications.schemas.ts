import { APPLICATION_STATUSES, agreementCreated } from "@loans/contracts";
import { pageLimit } from "@loans/shared/http/cursor";
import { batchResults, messageBatch } from "@loans/shared/outbox";
import { z } from "zod";

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
export const intakeBatch = messageBatch(agreementCreated);

export const intakeResults = batchResults(intakeAnswer);
