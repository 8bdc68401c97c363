import { z } from "zod";
import { parseConfig } from "../config.ts";

/**
 * The four-eyes settings, parsed once at boot like the rest of the configuration (config.ts): one error
 * names every bad key. `APPROVAL_TTL_HOURS`: how long a request waits for its second operator before it
 * expires.
 */
export const approvalEnv = z.object({
  APPROVAL_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(24),
});

export interface ApprovalSettings {
  ttlHours: number;
}

export function approvalSettings(env: Record<string, string | undefined> = process.env): ApprovalSettings {
  return { ttlHours: parseConfig(approvalEnv, env).APPROVAL_TTL_HOURS };
}
