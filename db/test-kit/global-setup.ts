/**
 * Once per `pnpm test`: a PostgreSQL server (embedded, or TEST_DATABASE_URL), and one migrated
 * template database per service and one for the operator registry. Each test file clones its own databases from them.
 */

import { randomBytes } from "node:crypto";
import { chmod, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { getConstructionPlans } from "pg-boss";
import type { TestProject } from "vitest/node";
import { dropDatabase, ensureDatabase, withDatabase } from "../src/admin.ts";
import { buildServices } from "../src/build.ts";
import { type EmbeddedServer, startEmbedded } from "../src/embedded.ts";
import { migrate } from "../src/migrate.ts";
import { REGISTRY_DATABASE, SERVICES } from "../src/services.ts";
import { templateName } from "./names.ts";

declare module "vitest" {
  export interface ProvidedContext {
    dbServerUrl: string;
    dbRunId: string;
  }
}

let embedded: EmbeddedServer | undefined;
let serverUrl = "";
let runId = "";

export async function setup(project: TestProject) {
  runId = randomBytes(3).toString("hex");
  // The end-to-end tests run the services as built files, as `pnpm start` does.
  await buildServices();
  if (process.env.TEST_DATABASE_URL) {
    serverUrl = process.env.TEST_DATABASE_URL;
  } else {
    const dir = await mkdtemp(join(tmpdir(), "loans-test-"));
    // mkdtemp makes it private; PostgreSQL, running as its own user when we are root, must enter it.
    await chmod(dir, 0o755);
    embedded = await startEmbedded({ dir, persistent: false, fast: true });
    serverUrl = embedded.url;
  }
  const server = await version(serverUrl);
  process.stdout.write(
    `test database: ${server} (${process.env.TEST_DATABASE_URL ? "TEST_DATABASE_URL" : "embedded"})\n`,
  );
  for (const { database } of SERVICES) {
    const name = templateName(runId, database);
    await ensureDatabase(serverUrl, name);
    const url = withDatabase(serverUrl, name);
    await migrate(url, database);
    // pg-boss's schema goes into the template too, so no test pays for creating it.
    await exec(url, getConstructionPlans("pgboss"));
  }
  // The operator registry's template: a test that wants one clones it (createTestDatabase("operators")).
  await ensureDatabase(serverUrl, templateName(runId, REGISTRY_DATABASE));
  await migrate(withDatabase(serverUrl, templateName(runId, REGISTRY_DATABASE)), REGISTRY_DATABASE);
  project.provide("dbServerUrl", serverUrl);
  project.provide("dbRunId", runId);
}

export async function teardown() {
  if (embedded) {
    await embedded.stop();
    return;
  }
  if (!serverUrl) return;
  const c = new pg.Client({ connectionString: withDatabase(serverUrl, "postgres") });
  await c.connect();
  const { rows } = await c.query<{ datname: string }>("select datname from pg_database where datname like $1", [
    `t\\_${runId}\\_%`,
  ]);
  await c.end();
  for (const r of rows) await dropDatabase(serverUrl, r.datname);
}

async function exec(url: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

async function version(url: string): Promise<string> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ v: string }>("select current_setting('server_version') as v");
    return `PostgreSQL ${rows[0]?.v}`;
  } finally {
    await c.end();
  }
}
