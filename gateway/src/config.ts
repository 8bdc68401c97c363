import { serviceEntry } from "@loans/db/services";
import { parseConfig, productionGuards, serviceEnv } from "@loans/shared";
import { z } from "zod";

const rate = z.coerce.number().min(0).max(1).default(0);

/** "50" (every transfer) or "20-200" (uniform in the range), in milliseconds. */
const latency = z
  .string()
  .trim()
  .regex(/^\d{1,6}(-\d{1,6})?$/, 'must be milliseconds such as "50" or "20-200"')
  .transform((s) => {
    const [lo, hi] = s.split("-").map(Number) as [number, number | undefined];
    return { minMs: lo, maxMs: hi ?? lo };
  })
  .refine((l) => l.minMs <= l.maxMs, "the range must not run backwards")
  .default({ minMs: 50, maxMs: 50 });

export const CRASH_POINTS = ["after-bank-settled", "after-payment-settled"] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

// GATEWAY_PORT, GATEWAY_HOST, GATEWAY_DATABASE_URL and where it finds PE (PE_URL), from the registry.
export const gatewayEnv = serviceEnv(serviceEntry("gateway"), [serviceEntry("pe")])
  .extend({
    BANK_LATENCY_MS: latency,
    BANK_FAILURE_RATE: rate,
    BANK_ERROR_RATE: rate,
    /** Unset: a random seed at each start. */
    BANK_SEED: z.string().trim().min(1).max(100).optional(),
    /**
     * Tests only: the process exits at once at this point of the bank worker, the first time it gets
     * there. `after-bank-settled`: the bank has answered that a payout's transfer settled, and PG has not
     * recorded it yet (LIFECYCLE §3.1 case 4); `after-payment-settled`: the same for a payment it
     * collected. Refused in production.
     */
    GATEWAY_CRASH_AT: z.enum(CRASH_POINTS).optional(),
  })
  .superRefine(productionGuards)
  .superRefine((c, ctx) => {
    if (c.NODE_ENV === "production" && c.GATEWAY_CRASH_AT)
      ctx.addIssue({ code: "custom", path: ["GATEWAY_CRASH_AT"], message: "is for tests, not production" });
  });

export type GatewayConfig = Readonly<z.output<typeof gatewayEnv>>;

export const loadGatewayConfig = (env: Record<string, string | undefined> = process.env): GatewayConfig =>
  parseConfig(gatewayEnv, env);
