import { serviceEntry } from "@loans/db/services";
import { parseConfig, productionGuards, serviceEnv } from "@loans/shared";
import { Dec } from "@loans/shared/money";
import { z } from "zod";

// A percent kept as its decimal text: the scoring rule compares it with decimal arithmetic, never floats.
const percent = (fallback: string) =>
  z
    .string()
    .trim()
    .regex(/^\d{1,3}(\.\d{1,4})?$/, "must be a percent such as 50 or 33.5")
    .refine((s) => new Dec(s).lte(100), "must be at most 100")
    .default(fallback);

const age = (fallback: number) => z.coerce.number().int().min(0).max(150).default(fallback);

// ORIGINATION_PORT, ORIGINATION_HOST, ORIGINATION_DATABASE_URL and where it finds PE (PE_URL), from the registry.
export const originationEnv = serviceEnv(serviceEntry("origination"), [serviceEntry("pe")])
  .extend({
    SCORING_DELAY_MS: z.coerce.number().int().min(0).max(600_000).default(0),
    SCORING_MIN_AGE: age(18),
    SCORING_MAX_AGE_AT_END: age(70),
    SCORING_MAX_PTI_PERCENT: percent("50"),
  })
  .superRefine(productionGuards)
  .superRefine((c, ctx) => {
    if (c.SCORING_MIN_AGE > c.SCORING_MAX_AGE_AT_END)
      ctx.addIssue({
        code: "custom",
        path: ["SCORING_MIN_AGE"],
        message: "must not exceed SCORING_MAX_AGE_AT_END",
      });
  });

export type OriginationConfig = Readonly<z.output<typeof originationEnv>>;

export const loadOriginationConfig = (env: Record<string, string | undefined> = process.env): OriginationConfig =>
  parseConfig(originationEnv, env);
