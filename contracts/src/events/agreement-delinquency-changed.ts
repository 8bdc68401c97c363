import { defineEvent } from "@loans/shared/events/catalog";
import { z } from "zod";
import { EXAMPLE } from "../fields.ts";
import { date, id, money } from "./fields.ts";

const BUCKETS = ["CURRENT", "DPD_1_30", "DPD_31_60", "DPD_61_90", "DPD_90_PLUS"] as const;

/** The loan's delinquency bucket changed (EXCEPTIONS.md). Defined ahead of its emitter (a later issue). */
export interface AgreementDelinquencyChangedData {
  agreementId: string;
  from: (typeof BUCKETS)[number];
  to: (typeof BUCKETS)[number];
  daysPastDue: number;
  overdueAmount: string;
  on: string;
}

export const agreementDelinquencyChangedEvent = defineEvent<AgreementDelinquencyChangedData>()({
  type: "agreement.delinquency-changed",
  source: "pe",
  version: 1,
  summary: "The loan's delinquency bucket changed",
  subject: "the agreement id",
  emitted: false,
  data: z.object({
    agreementId: id(),
    from: z.enum(BUCKETS),
    to: z.enum(BUCKETS),
    daysPastDue: z.number().int().min(0),
    overdueAmount: money(),
    on: date(),
  }),
  example: {
    subject: EXAMPLE.agreementId,
    businessdate: "2026-05-07",
    data: {
      agreementId: EXAMPLE.agreementId,
      from: "CURRENT",
      to: "DPD_1_30",
      daysPastDue: 1,
      overdueAmount: "27347.72",
      on: "2026-05-07",
    },
  },
});
