import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { dropDatabase, ensureDatabase, withDatabase } from "../src/admin.ts";
import type { MigratedDatabase } from "../src/services.ts";
import { templateName } from "./names.ts";

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh database for one test file: a clone of the migrated template, or empty when `empty`. */
export async function createTestDatabase(
  kind: MigratedDatabase,
  opts: { empty?: boolean } = {},
): Promise<TestDatabase> {
  const server = inject("dbServerUrl");
  const runId = inject("dbRunId");
  const name = `t_${runId}_${kind}_${randomBytes(4).toString("hex")}`;
  await ensureDatabase(server, name, opts.empty ? undefined : templateName(runId, kind));
  return { name, url: withDatabase(server, name), drop: () => dropDatabase(server, name) };
}

/** The server's own connection URL (its `postgres` database), for tests that make databases themselves. */
export const testServerUrl = () => inject("dbServerUrl");
