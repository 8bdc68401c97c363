import { z } from "zod";
import { calendarDate } from "../http/inputs.ts";

const businessDate = () => calendarDate().describe("a business date, YYYY-MM-DD");

export const moveBusinessDateBody = z.strictObject({ date: businessDate() });

export const businessDateResponse = z
  .object({
    date: businessDate(),
    clock: z.enum(["system", "manual"]).describe("`system`: today's UTC date; `manual`: moved by this API"),
  })
  .meta({ id: "BusinessDate" });

export const cobDaySummary = z
  .object({
    date: businessDate(),
    agreements: z.number().int().describe("ACTIVE agreements brought up to this day"),
    overdueMarked: z.number().int().describe("periods that became OVERDUE on this day"),
    penaltyPosted: z.string().describe("penalty posted for this day, two decimals"),
    closed: z.number().int().describe("agreements closed by this day's job"),
  })
  .meta({ id: "CobDaySummary" });

export const businessDateMoveResponse = z
  .object({
    date: businessDate(),
    cob: z.array(cobDaySummary).describe("the daily job's result for every day crossed, in order"),
  })
  .meta({ id: "BusinessDateMove" });
