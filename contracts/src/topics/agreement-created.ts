import { Dec, moneyInput, rateInput } from "@loans/shared/money";
import { defineTopic } from "@loans/shared/outbox/topic";
import { z } from "zod";
import { canonicalId, EXAMPLE, plausibleDate, reason } from "../fields.ts";
import { APPLICATION_STATUSES, DECISION_RESULTS } from "../statuses.ts";

/** What PE sends when it creates an agreement (PE → Origination, `/internal/applications`). */
export interface AgreementCreated {
  agreementId: string;
  clientId: string;
  productCode: string;
  birthDate: string;
  /** Money as decimal strings with two decimals: "150000.00". */
  monthlyIncome: string;
  principal: string;
  termMonths: number;
  /** Annual percent, no trailing zeros: "12.5". */
  interestRate: string;
  monthlyPayment: string;
  lastDueDate: string;
  /** PE's business date at creation (LIFECYCLE §8.11): the application date the AGE rule reads. */
  applicationDate: string;
}

/** A decision as it travels in an answer. */
const decision = z.object({
  result: z.enum(DECISION_RESULTS),
  reasons: z.array(reason).max(100),
  decidedAt: z.iso.datetime({ offset: true }),
});

// A status that carries a decision names the result it needs.
const DECISION_OF = {
  APPROVED: "APPROVED",
  PAYMENT_PENDING: "APPROVED",
  REJECTED: "REJECTED",
  ACTIVE: "APPROVED",
  CLOSED: "APPROVED",
  DISBURSEMENT_FAILED: "APPROVED",
} as const;

/**
 * `agreement.created`: the application to score. Origination answers its application's status, and its
 * decision once made: PAYMENT_PENDING is Origination's name for "approved, and PE has been told"; ACTIVE,
 * CLOSED and DISBURSEMENT_FAILED are PE's own later news coming back, each with the APPROVED decision.
 */
export const agreementCreated = defineTopic<AgreementCreated>()({
  name: "agreement.created",
  version: 1,
  summary: "PE created an agreement: Origination opens its application and scores it",
  payload: z.object({
    agreementId: canonicalId(),
    clientId: canonicalId(),
    productCode: z.string().min(1).max(50),
    birthDate: plausibleDate(),
    // Amounts come as decimal strings (a JSON number with at most two decimals is read the same way).
    monthlyIncome: moneyInput({ allowZero: true }),
    principal: moneyInput(),
    termMonths: z.number().int().min(1).max(600),
    // numeric(7,4) in both databases.
    interestRate: rateInput().refine((r) => new Dec(r).lte("999.9999"), "must be at most 999.9999"),
    monthlyPayment: moneyInput(),
    lastDueDate: plausibleDate(),
    // Optional: a PE from before it sent none, and the application then takes the UTC date it arrived.
    applicationDate: plausibleDate().optional(),
  }),
  answer: z.object({ status: z.enum(APPLICATION_STATUSES), decision: decision.nullable() }).superRefine((a, ctx) => {
    const wanted = DECISION_OF[a.status as keyof typeof DECISION_OF];
    if (wanted && a.decision?.result !== wanted)
      ctx.addIssue({ code: "custom", path: ["decision"], message: `status ${a.status} needs a ${wanted} decision` });
  }),
  example: {
    payload: {
      agreementId: EXAMPLE.agreementId,
      clientId: EXAMPLE.clientId,
      productCode: "CL1.0",
      birthDate: "1990-05-17",
      monthlyIncome: "150000.00",
      principal: "305000.00",
      termMonths: 12,
      interestRate: "12.5",
      monthlyPayment: "27170.27",
      lastDueDate: "2027-11-29",
      applicationDate: "2026-11-29",
    },
    answer: { status: "IN_PROGRESS", decision: null },
  },
});
