import { defineEvent } from "@loans/shared/events/catalog";
import { z } from "zod";
import { date, money } from "./fields.ts";

/** The daily job finished a business date: once per date, with what it did on that date. */
export interface BusinessDateClosedData {
  date: string;
  /** ACTIVE agreements brought up to the date. */
  agreements: number;
  overdueMarked: number;
  penaltyPosted: string;
  /** Agreements the date's job closed. */
  closed: number;
}

export const businessDateClosedEvent = defineEvent<BusinessDateClosedData>()({
  type: "business-date.closed",
  source: "pe",
  version: 1,
  summary: "The daily job finished a business date, with counts",
  subject: "`business-date`: every date's event in one order",
  data: z.object({
    date: date(),
    agreements: z.number().int().min(0),
    overdueMarked: z.number().int().min(0),
    penaltyPosted: money(),
    closed: z.number().int().min(0),
  }),
  example: {
    subject: "business-date",
    businessdate: "2026-03-05",
    data: { date: "2026-03-05", agreements: 1250, overdueMarked: 3, penaltyPosted: "41.10", closed: 2 },
  },
});
