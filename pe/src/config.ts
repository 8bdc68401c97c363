import { serviceEntry } from "@loans/db/services";
import { parseConfig, productionGuards, serviceEnv } from "@loans/shared";
import { z } from "zod";
import { calendarDate } from "./http/inputs.ts";

// PE_PORT, PE_HOST, PE_DATABASE_URL and where it finds Origination and the Payment Gateway (ORIGINATION_URL, GATEWAY_URL), from the registry.
export const peEnv = serviceEnv(serviceEntry("pe"), [serviceEntry("origination"), serviceEntry("gateway")])
  .extend({
    /** LIFECYCLE §4.3: `system` reads today's UTC date; `manual` moves only through POST /admin/business-date. */
    BUSINESS_CLOCK: z.enum(["system", "manual"]).default("system"),
    /** The manual clock's first date, used once, when its history is empty; unset: today's UTC date then. */
    BUSINESS_DATE_START: calendarDate().optional(),
    /**
     * The furthest one POST /admin/business-date may move the manual clock: the move runs the daily job for
     * every day crossed before it answers, so an unbounded move (to 9999-12-31) kept PE busy for hours.
     */
    BUSINESS_DATE_MAX_MOVE_DAYS: z.coerce.number().int().min(1).max(3660).default(366),
    /** How many agreements the daily job brings forward at once, each on its own connection (pool: 10). */
    COB_CONCURRENCY: z.coerce.number().int().min(1).max(8).default(4),
  })
  .superRefine(productionGuards)
  .superRefine((c, ctx) => {
    // A hand-moved date in production would value real payments on a made-up day.
    if (c.NODE_ENV === "production" && c.BUSINESS_CLOCK === "manual")
      ctx.addIssue({ code: "custom", path: ["BUSINESS_CLOCK"], message: "manual is refused in production" });
  });

export type PeConfig = Readonly<z.output<typeof peEnv>>;

export const loadPeConfig = (env: Record<string, string | undefined> = process.env): PeConfig =>
  parseConfig(peEnv, env);
