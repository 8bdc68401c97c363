import { createTestDatabase, type TestDatabase } from "@loans/db/testing";
import { type System, startSystem } from "./system.ts";

export interface TestSystem {
  system: System;
  peDb: TestDatabase;
  originationDb: TestDatabase;
  stop(): Promise<void>;
}

/** Both services as processes, each on a database cloned for this test file; `stop` drops them again. */
export async function startTestSystem(env: Record<string, string> = {}): Promise<TestSystem> {
  const peDb = await createTestDatabase("pe");
  const originationDb = await createTestDatabase("origination");
  const system = await startSystem({ peDatabaseUrl: peDb.url, originationDatabaseUrl: originationDb.url, env });
  return {
    system,
    peDb,
    originationDb,
    async stop() {
      await system.stop();
      await peDb.drop();
      await originationDb.drop();
    },
  };
}
