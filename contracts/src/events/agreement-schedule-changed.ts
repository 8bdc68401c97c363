import { defineEvent } from "@loans/shared/events/catalog";
import { z } from "zod";
import { EXAMPLE } from "../fields.ts";
import { date, id, money } from "./fields.ts";

export const SCHEDULE_VERSION_REASONS = ["DISBURSEMENT", "PREPAYMENT", "PAYOFF", "CALENDAR"] as const;
export type ScheduleVersionReason = (typeof SCHEDULE_VERSION_REASONS)[number];

export interface ScheduleRowData {
  period: number;
  periodEnd: string;
  dueDate: string;
  payment: string;
  principal: string;
  interest: string;
  balance: string;
}

/** A new schedule version of a serviced loan: the first at disbursement, then prepayments and re-datings. */
export interface AgreementScheduleChangedData {
  agreementId: string;
  version: number;
  effectiveOn: string;
  /** Why the version was made: the disbursement's re-anchoring, a prepayment, a payoff, a calendar change. */
  reason: ScheduleVersionReason;
  rows: ScheduleRowData[];
}

export const agreementScheduleChangedEvent = defineEvent<AgreementScheduleChangedData>()({
  type: "agreement.schedule-changed",
  source: "pe",
  version: 1,
  summary: "A new schedule version (the disbursement's re-anchoring, a partial prepayment, a calendar change)",
  subject: "the agreement id",
  data: z.object({
    agreementId: id(),
    version: z.number().int(),
    effectiveOn: date(),
    reason: z.enum(SCHEDULE_VERSION_REASONS),
    rows: z.array(
      z.object({
        period: z.number().int(),
        periodEnd: date(),
        dueDate: date(),
        payment: money(),
        principal: money(),
        interest: money(),
        balance: money(),
      }),
    ),
  }),
  example: {
    subject: EXAMPLE.agreementId,
    businessdate: "2026-03-05",
    data: {
      agreementId: EXAMPLE.agreementId,
      version: 1,
      effectiveOn: "2026-03-05",
      reason: "DISBURSEMENT",
      rows: [
        {
          period: 1,
          periodEnd: "2026-04-05",
          dueDate: "2026-04-06",
          payment: "27347.72",
          principal: "23486.97",
          interest: "3860.75",
          balance: "279513.03",
        },
      ],
    },
  },
});
