import { z } from "zod";
import { calendarDate } from "../http/inputs.ts";

/** Years the calendar takes: wide enough for any loan, narrow enough that a typo is refused. */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 2200;

export const calendarYearParam = z.strictObject({
  year: z
    .string()
    .regex(/^\d{4}$/, "must be a four-digit year")
    .transform(Number)
    .refine((y) => y >= MIN_YEAR && y <= MAX_YEAR, `must be from ${MIN_YEAR} to ${MAX_YEAR}`),
});

const day = () => calendarDate().describe("a date of the path's year, YYYY-MM-DD");

export const putCalendarBody = z
  .strictObject({
    nonWorkingDays: z
      .array(day())
      .max(366)
      .describe("days not worked; a Saturday or Sunday here is accepted and changes nothing"),
    workingWeekends: z.array(day()).max(106).describe("Saturdays and Sundays that are worked"),
  })
  .meta({ id: "CalendarYearBody" });

const lists = {
  year: z.number().int(),
  nonWorkingDays: z.array(day()).describe("sorted"),
  workingWeekends: z.array(day()).describe("sorted"),
  version: z.number().int().describe("the global calendar version now: every PUT adds one, the seeds are 0"),
};

export const calendarYearResponse = z
  .object({
    ...lists,
    source: z
      .enum(["SEED", "ADMIN", "DEFAULT"])
      .describe(
        "SEED: the migration's official calendar; ADMIN: a PUT; DEFAULT: none stored, weekends only (both lists empty)",
      ),
  })
  .meta({ id: "CalendarYear" });

export const putCalendarResponse = z
  .object({
    ...lists,
    source: z.literal("ADMIN"),
    redated: z
      .object({
        agreements: z.number().int().describe("ACTIVE NEXT_WORKING_DAY loans re-dated by this change"),
        periods: z.number().int().describe("periods whose dueDate moved"),
      })
      .describe("EXCEPTIONS §3.9's re-dating of what is still ahead, run after the year is stored"),
  })
  .meta({ id: "CalendarYearPut" });
