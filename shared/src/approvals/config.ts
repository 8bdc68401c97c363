import { commonEnv, parseConfig } from "../config.ts";

/** How long a request waits for its second operator before it expires (`APPROVAL_TTL_HOURS`, config.ts). */
export interface ApprovalSettings {
  ttlHours: number;
}

const approvalEnv = commonEnv.pick({ APPROVAL_TTL_HOURS: true });

/** The four-eyes settings read from an environment on their own, with the common settings' rule. */
export function approvalSettings(env: Record<string, string | undefined> = process.env): ApprovalSettings {
  return { ttlHours: parseConfig(approvalEnv, env).APPROVAL_TTL_HOURS };
}
