import { defineEvent } from "@loans/shared/events/catalog";
import { z } from "zod";
import { EXAMPLE } from "../fields.ts";
import { date, id, money } from "./fields.ts";

/** PE opened an agreement (NEW): its terms and a summary of its indicative schedule. No personal data. */
export interface AgreementCreatedData {
  agreementId: string;
  clientId: string;
  productCode: string;
  status: "NEW";
  disbursementAmount: string;
  originationFee: string;
  principal: string;
  termMonths: number;
  /** Annual percent: "12.5". */
  interestRate: string;
  monthlyPayment: string;
  firstDueDate: string;
  lastDueDate: string;
  /** The indicative PSK (the full cost of credit, percent and amount). */
  psk: { percent: string; amount: string } | null;
}

export const agreementCreatedEvent = defineEvent<AgreementCreatedData>()({
  type: "agreement.created",
  source: "pe",
  version: 1,
  summary: "An agreement was created (NEW), with its terms and schedule summary",
  subject: "the agreement id",
  data: z.object({
    agreementId: id(),
    clientId: id(),
    productCode: z.string(),
    status: z.literal("NEW"),
    disbursementAmount: money(),
    originationFee: money(),
    principal: money(),
    termMonths: z.number().int(),
    interestRate: z.string(),
    monthlyPayment: money(),
    firstDueDate: date(),
    lastDueDate: date(),
    psk: z.object({ percent: z.string(), amount: money() }).nullable(),
  }),
  example: {
    subject: EXAMPLE.agreementId,
    businessdate: "2026-03-05",
    data: {
      agreementId: EXAMPLE.agreementId,
      clientId: EXAMPLE.clientId,
      productCode: "CL1.0",
      status: "NEW",
      disbursementAmount: "300000.00",
      originationFee: "3000.00",
      principal: "303000.00",
      termMonths: 12,
      interestRate: "15",
      monthlyPayment: "27347.72",
      firstDueDate: "2026-04-05",
      lastDueDate: "2027-03-05",
      psk: { percent: "15.655", amount: "26043.27" },
    },
  },
});
