/**
 * `pnpm start`: the whole system on one machine. Starts PostgreSQL from npm (unless database URLs are
 * given), makes and migrates each service's database, runs every service of db/src/services.ts as a process
 * with prefixed logs, and the operator's console beside them (console/, on CONSOLE_PORT, 3000 by default);
 * on Ctrl-C or SIGTERM stops them and then PostgreSQL.
 */

import type { ChildProcess } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildConsole } from "@loans/console/build";
import { type RunningConsole, startConsole } from "@loans/console/server";
import { ensureRegistryDatabase, ensureServiceDatabases, migrate, withDatabase } from "@loans/db";
import { buildServices } from "@loans/db/build";
import { type EmbeddedServer, startEmbedded } from "@loans/db/embedded";
import { type DatabaseName, defaultUrl, REGISTRY_DATABASE, SERVICES, type Service } from "@loans/db/services";
import { closed, runService, waitReady } from "./processes.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const env = process.env;
const portOf = (s: Service) => Number(env[s.portVar] ?? s.defaultPort);
const urlOf = (s: Service) => defaultUrl(s, portOf(s));

function say(line: string) {
  process.stdout.write(`[start] ${line}\n`);
}

type Urls = Record<DatabaseName | typeof REGISTRY_DATABASE, string>;
type Databases = { urls: Urls; embedded?: EmbeddedServer };

/**
 * Each service's database and the operator registry's (OPERATORS_DATABASE_URL, else `operators` beside
 * PE's: the services derive the same default from their own URL when they share a server).
 */
async function databases(): Promise<Databases> {
  const given = SERVICES.map((s) => [s.database, env[s.databaseVar]] as const);
  if (given.every(([, url]) => url)) {
    const registry = env.OPERATORS_DATABASE_URL ?? withDatabase(given[0]![1]!, REGISTRY_DATABASE);
    return { urls: { ...(Object.fromEntries(given) as Record<DatabaseName, string>), operators: registry } };
  }
  const dir = join(root, ".data");
  say(`starting embedded PostgreSQL (data in ${dir})`);
  const embedded = await startEmbedded({ dir, port: Number(env.EMBEDDED_PG_PORT ?? 54329), persistent: true });
  const services = await ensureServiceDatabases(embedded.url);
  return { urls: { ...services, operators: await ensureRegistryDatabase(embedded.url) }, embedded };
}

function startServices(dbs: Databases): ChildProcess[] {
  // Every service is told where each of the others is (the ones it does not call ignore the variable).
  const peers = Object.fromEntries(SERVICES.map((s) => [s.urlVar, env[s.urlVar] ?? urlOf(s)]));
  return SERVICES.map((s) =>
    runService(s.name, root, {
      ...env,
      ...peers,
      [s.databaseVar]: dbs.urls[s.database],
      OPERATORS_DATABASE_URL: dbs.urls.operators,
      [s.portVar]: String(portOf(s)),
    }),
  );
}

/** Stops the console, then the services once their last lines are printed, then PostgreSQL; exits. */
function stopper(dbs: Databases, urlsFile: string, children: ChildProcess[], web: () => RunningConsole | undefined) {
  let stopping = false;
  return async (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    say(`stopping (${reason})`);
    await web()?.close();
    for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
    await Promise.all(children.map(closed));
    if (dbs.embedded) {
      rmSync(urlsFile, { force: true });
      await dbs.embedded.stop();
    }
    say("stopped");
    process.exit(code);
  };
}

function stopOnExit(stop: (reason: string, code: number) => Promise<void>, children: ChildProcess[]) {
  process.on("SIGINT", () => void stop("SIGINT", 0));
  process.on("SIGTERM", () => void stop("SIGTERM", 0));
  process.on("SIGHUP", () => void stop("SIGHUP", 0));
  // pnpm passes a SIGTERM of its own on to no one and exits: we notice that we were orphaned and stop
  // everything ourselves rather than leave the services and PostgreSQL running.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void stop("the parent process exited", 0);
  }, 500).unref();
  for (const c of children) c.once("exit", (code) => void stop(`a service exited with code ${code}`, 1));
}

function sayReady(web: RunningConsole, dbs: Databases) {
  const keys = env.API_KEYS
    ? "API keys required (API_KEYS is set)"
    : "no API key required (development: API_KEYS is unset)";
  say("ready");
  const width = Math.max(...SERVICES.map((s) => s.title.length));
  for (const s of SERVICES) say(`  ${s.title.padEnd(width)}  ${urlOf(s)}    (GET /health, /ready)`);
  say(`  ${"Console".padEnd(width)}  ${web.url}    (the operator's console)`);
  for (const s of SERVICES) say(`  psql ${s.title.padEnd(width)}  psql ${dbs.urls[s.database]}`);
  say(`  ${"operators".padEnd(width + 5)}  psql ${dbs.urls.operators}    (pnpm operators add|list|revoke)`);
  say(`  ${keys}`);
  say("Ctrl-C stops everything.");
}

/** With database URLs given, the registry's database may not exist yet: ADMIN_TOKEN works without it. */
async function migrateRegistry(url: string) {
  try {
    await migrate(url, REGISTRY_DATABASE);
  } catch (err) {
    if ((err as { code?: string }).code !== "3D000") throw err;
    say(`no operator registry at ${url}: create that database for operator tokens (ADMIN_TOKEN works meanwhile)`);
  }
}

async function main() {
  const dbs = await databases();
  // For `pnpm outbox` and other tools run beside it; removed on the way out.
  const urlsFile = join(root, ".data", "urls.json");
  if (dbs.embedded) writeFileSync(urlsFile, JSON.stringify(dbs.urls));
  for (const { database } of SERVICES) await migrate(dbs.urls[database], database);
  await migrateRegistry(dbs.urls.operators);
  await buildServices();
  const children = startServices(dbs);
  let web: RunningConsole | undefined;
  stopOnExit(
    stopper(dbs, urlsFile, children, () => web),
    children,
  );

  // Built while the services start; the console proxies /api/<service>/ to each of them.
  const [dist] = await Promise.all([
    buildConsole(),
    Promise.all(SERVICES.map((s, i) => waitReady(urlOf(s), children[i]!))),
  ]);
  web = await startConsole({
    dist,
    port: Number(env.CONSOLE_PORT ?? 3000),
    services: Object.fromEntries(SERVICES.map((s) => [s.name, urlOf(s)])),
  });
  sayReady(web, dbs);
}

main().catch((err) => {
  process.stderr.write(`[start] cannot start: ${(err as Error)?.message ?? String(err)}\n`);
  process.exit(1);
});
