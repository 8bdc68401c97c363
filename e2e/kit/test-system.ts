import { createTestDatabase, type TestDatabase } from "@loans/db/testing";
import { type System, startSystem } from "./system.ts";

export interface TestSystem {
  system: System;
  peDb: TestDatabase;
  originationDb: TestDatabase;
  /** With `{ gateway: true }` only. */
  gatewayDb?: TestDatabase;
  stop(): Promise<void>;
}

/**
 * The services as processes, each on a database cloned for this test file; `stop` drops them again.
 * PE and Origination always, the Payment Gateway with `{ gateway: true }`.
 */
export async function startTestSystem(
  env: Record<string, string> = {},
  opts: { gateway?: boolean } = {},
): Promise<TestSystem> {
  const peDb = await createTestDatabase("pe");
  const originationDb = await createTestDatabase("origination");
  const gatewayDb = opts.gateway ? await createTestDatabase("gateway") : undefined;
  const system = await startSystem({
    peDatabaseUrl: peDb.url,
    originationDatabaseUrl: originationDb.url,
    ...(gatewayDb && { gatewayDatabaseUrl: gatewayDb.url }),
    env,
  });
  return {
    system,
    peDb,
    originationDb,
    ...(gatewayDb && { gatewayDb }),
    async stop() {
      await system.stop();
      await peDb.drop();
      await originationDb.drop();
      await gatewayDb?.drop();
    },
  };
}
