import { defineEvent } from "@loans/shared/events/catalog";
import { z } from "zod";
import { EXAMPLE } from "../fields.ts";
import { type EventReason, eventReason, id, instant } from "./fields.ts";

/** Origination scored an application: the result and every failing rule (empty for an approval). */
export interface ApplicationDecidedData {
  agreementId: string;
  result: "APPROVED" | "REJECTED";
  reasons: EventReason[];
  decidedAt: string;
}

export const applicationDecidedEvent = defineEvent<ApplicationDecidedData>()({
  type: "application.decided",
  source: "origination",
  version: 1,
  summary: "A decision on an application, with its reasons",
  subject: "the agreement id",
  data: z.object({
    agreementId: id(),
    result: z.enum(["APPROVED", "REJECTED"]),
    reasons: z.array(eventReason),
    decidedAt: instant(),
  }),
  example: {
    subject: EXAMPLE.agreementId,
    data: {
      agreementId: EXAMPLE.agreementId,
      result: "REJECTED",
      reasons: [{ code: "DTI", message: "the payments would take over 50% of the income" }],
      decidedAt: "2026-03-05T10:15:31.000Z",
    },
  },
});
