import { type DatabaseName, SERVICES } from "@loans/db/services";
import { createTestDatabase, type TestDatabase } from "@loans/db/testing";
import { type System, startSystem } from "./system.ts";

export interface TestSystem {
  system: System;
  databases: Record<DatabaseName, TestDatabase>;
  peDb: TestDatabase;
  originationDb: TestDatabase;
  gatewayDb: TestDatabase;
  stop(): Promise<void>;
}

/**
 * Every service as processes, each on a database cloned for this test file, and one operator registry
 * they share (unless `env` names one); `stop` drops them again.
 */
export async function startTestSystem(env: Record<string, string> = {}): Promise<TestSystem> {
  const databases = {} as Record<DatabaseName, TestDatabase>;
  for (const { database } of SERVICES) databases[database] = await createTestDatabase(database);
  const registry = env.OPERATORS_DATABASE_URL ? null : await createTestDatabase("operators");
  const urls = Object.fromEntries(SERVICES.map((s) => [s.database, databases[s.database].url]));
  const system = await startSystem({
    databases: urls as Record<DatabaseName, string>,
    env: registry ? { OPERATORS_DATABASE_URL: registry.url, ...env } : env,
  });
  return {
    system,
    databases,
    peDb: databases.pe,
    originationDb: databases.origination,
    gatewayDb: databases.gateway,
    async stop() {
      await system.stop();
      for (const db of Object.values(databases)) await db.drop();
      await registry?.drop();
    },
  };
}
