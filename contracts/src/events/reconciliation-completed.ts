import { defineEvent } from "@loans/shared/events/catalog";
import { z } from "zod";
import { date } from "./fields.ts";

/** A day's reconciliation with the bank. Defined ahead of its emitter (reconciliation is a later issue). */
export interface ReconciliationCompletedData {
  date: string;
  checked: number;
  mismatches: number;
}

export const reconciliationCompletedEvent = defineEvent<ReconciliationCompletedData>()({
  type: "reconciliation.completed",
  source: "gateway",
  version: 1,
  summary: "A day's reconciliation with the bank, with the mismatch count",
  subject: "`reconciliation`: every day's event in one order",
  emitted: false,
  data: z.object({ date: date(), checked: z.number().int().min(0), mismatches: z.number().int().min(0) }),
  example: { subject: "reconciliation", data: { date: "2026-04-06", checked: 412, mismatches: 0 } },
});
