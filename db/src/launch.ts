/**
 * `pnpm start`: the whole system on one machine. Starts PostgreSQL from npm (unless database URLs are
 * given), makes and migrates each service's database, runs every service of db/src/services.ts as a process
 * with prefixed logs, and the operator's console beside them (console/, on CONSOLE_PORT, 3000 by default);
 * on Ctrl-C or SIGTERM stops them and then PostgreSQL.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildConsole } from "../../console/build.ts";
import { type RunningConsole, startConsole } from "../../console/server.ts";
import { ensureServiceDatabases } from "./admin.ts";
import { buildServices, bundlePath } from "./build.ts";
import { type EmbeddedServer, startEmbedded } from "./embedded.ts";
import { migrate } from "./migrate.ts";
import {
  type DatabaseName,
  defaultUrl,
  SERVICE_NODE_FLAGS,
  SERVICES,
  type Service,
  type ServiceName,
} from "./services.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const env = process.env;
const portOf = (s: Service) => Number(env[s.portVar] ?? s.defaultPort);
const urlOf = (s: Service) => defaultUrl(s, portOf(s));

function say(line: string) {
  process.stdout.write(`[start] ${line}\n`);
}

type Urls = Record<DatabaseName, string>;

async function databases(): Promise<{ urls: Urls; embedded?: EmbeddedServer }> {
  const given = SERVICES.map((s) => [s.database, env[s.databaseVar]] as const);
  if (given.every(([, url]) => url)) return { urls: Object.fromEntries(given) as Urls };
  const dir = join(root, ".data");
  say(`starting embedded PostgreSQL (data in ${dir})`);
  const embedded = await startEmbedded({ dir, port: Number(env.EMBEDDED_PG_PORT ?? 54329), persistent: true });
  return { urls: await ensureServiceDatabases(embedded.url), embedded };
}

function run(name: ServiceName, extra: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, bundlePath(name)], {
    cwd: root,
    env: { ...env, ...extra },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const prefix = (stream: NodeJS.ReadableStream, out: NodeJS.WriteStream) => {
    let rest = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      const lines = (rest + chunk).split("\n");
      rest = lines.pop() ?? "";
      for (const l of lines) out.write(`[${name}] ${l}\n`);
    });
  };
  prefix(child.stdout as NodeJS.ReadableStream, process.stdout);
  prefix(child.stderr as NodeJS.ReadableStream, process.stderr);
  return child;
}

async function waitReady(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`${url} exited with code ${child.exitCode} before it was ready`);
    try {
      const r = await fetch(`${url}/ready`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms`);
}

// "close", not "exit": it comes after the child's last output lines have been read and printed.
const closed = (c: ChildProcess) =>
  new Promise<void>((r) => (c.stdout?.readableEnded ? r() : c.once("close", () => r())));

async function main() {
  const dbs = await databases();
  // For `pnpm outbox` and other tools run beside it; removed on the way out.
  const urlsFile = join(root, ".data", "urls.json");
  if (dbs.embedded) writeFileSync(urlsFile, JSON.stringify(dbs.urls));
  for (const { database } of SERVICES) await migrate(dbs.urls[database], database);
  await buildServices();
  // Every service is told where each of the others is (the ones it does not call ignore the variable).
  const peers = Object.fromEntries(SERVICES.map((s) => [s.urlVar, env[s.urlVar] ?? urlOf(s)]));
  const children = SERVICES.map((s) =>
    run(s.name, { ...peers, [s.databaseVar]: dbs.urls[s.database], [s.portVar]: String(portOf(s)) }),
  );
  let web: RunningConsole | undefined;
  let stopping = false;
  const stop = async (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    say(`stopping (${reason})`);
    await web?.close();
    for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
    await Promise.all(children.map(closed));
    if (dbs.embedded) {
      rmSync(urlsFile, { force: true });
      await dbs.embedded.stop();
    }
    say("stopped");
    process.exit(code);
  };
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
  const keys = env.API_KEYS
    ? "API keys required (API_KEYS is set)"
    : "no API key required (development: API_KEYS is unset)";
  say("ready");
  const width = Math.max(...SERVICES.map((s) => s.title.length));
  for (const s of SERVICES) say(`  ${s.title.padEnd(width)}  ${urlOf(s)}    (GET /health, /ready)`);
  say(`  ${"Console".padEnd(width)}  ${web.url}    (the operator's console)`);
  for (const s of SERVICES) say(`  psql ${s.title.padEnd(width)}  psql ${dbs.urls[s.database]}`);
  say(`  ${keys}`);
  say("Ctrl-C stops everything.");
}

main().catch((err) => {
  process.stderr.write(`[start] cannot start: ${(err as Error)?.message ?? String(err)}\n`);
  process.exit(1);
});
