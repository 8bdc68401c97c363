import type { MigratedDatabase } from "../src/services.ts";

/** Every database a test run makes starts with `t_<runId>_`, so teardown finds them all. */
export const templateName = (runId: string, kind: MigratedDatabase) => `t_${runId}_${kind}_template`;
