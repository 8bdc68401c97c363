/**
 * `pnpm start`: the whole system on one machine. Starts PostgreSQL from npm (unless database URLs are
 * given), makes and migrates the databases, runs PE, Origination and the Payment Gateway as processes with
 * prefixed logs,
 * and on Ctrl-C or SIGTERM stops them and then PostgreSQL.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureDatabase, withDatabase } from "./admin.ts";
import { buildServices, bundlePath, type Service } from "./build.ts";
import { type EmbeddedServer, startEmbedded } from "./embedded.ts";
import { migrate } from "./migrate.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const env = process.env;
const pePort = Number(env.PE_PORT ?? 3001);
const originationPort = Number(env.ORIGINATION_PORT ?? 3002);
const gatewayPort = Number(env.GATEWAY_PORT ?? 3003);

function say(line: string) {
  process.stdout.write(`[start] ${line}\n`);
}

async function databases(): Promise<{ pe: string; origination: string; gateway: string; embedded?: EmbeddedServer }> {
  if (env.PE_DATABASE_URL && env.ORIGINATION_DATABASE_URL && env.GATEWAY_DATABASE_URL) {
    return { pe: env.PE_DATABASE_URL, origination: env.ORIGINATION_DATABASE_URL, gateway: env.GATEWAY_DATABASE_URL };
  }
  const dir = join(root, ".data");
  say(`starting embedded PostgreSQL (data in ${dir})`);
  const embedded = await startEmbedded({ dir, port: Number(env.EMBEDDED_PG_PORT ?? 54329), persistent: true });
  await ensureDatabase(embedded.url, "pe");
  await ensureDatabase(embedded.url, "origination");
  await ensureDatabase(embedded.url, "gateway");
  return {
    pe: withDatabase(embedded.url, "pe"),
    origination: withDatabase(embedded.url, "origination"),
    gateway: withDatabase(embedded.url, "gateway"),
    embedded,
  };
}

function run(name: Service, extra: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ["--enable-source-maps", bundlePath(name)], {
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
  if (dbs.embedded)
    writeFileSync(urlsFile, JSON.stringify({ pe: dbs.pe, origination: dbs.origination, gateway: dbs.gateway }));
  await migrate(dbs.pe, "pe");
  await migrate(dbs.origination, "origination");
  await migrate(dbs.gateway, "gateway");
  await buildServices();
  const pe = run("pe", {
    PE_DATABASE_URL: dbs.pe,
    PE_PORT: String(pePort),
    // The peers where this run starts them, unless told otherwise: another port than the default must not
    // send PE's messages to whatever else listens on the default.
    ORIGINATION_URL: env.ORIGINATION_URL ?? `http://127.0.0.1:${originationPort}`,
    GATEWAY_URL: env.GATEWAY_URL ?? `http://127.0.0.1:${gatewayPort}`,
  });
  const origination = run("origination", {
    ORIGINATION_DATABASE_URL: dbs.origination,
    ORIGINATION_PORT: String(originationPort),
    PE_URL: env.PE_URL ?? `http://127.0.0.1:${pePort}`,
  });
  const gateway = run("gateway", {
    GATEWAY_DATABASE_URL: dbs.gateway,
    GATEWAY_PORT: String(gatewayPort),
    PE_URL: env.PE_URL ?? `http://127.0.0.1:${pePort}`,
  });
  const children = [pe, origination, gateway];
  let stopping = false;
  const stop = async (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    say(`stopping (${reason})`);
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

  const peUrl = `http://127.0.0.1:${pePort}`;
  const originationUrl = `http://127.0.0.1:${originationPort}`;
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  await Promise.all([waitReady(peUrl, pe), waitReady(originationUrl, origination), waitReady(gatewayUrl, gateway)]);
  const keys = env.API_KEYS
    ? "API keys required (API_KEYS is set)"
    : "no API key required (development: API_KEYS is unset)";
  say("ready");
  say(`  PE           ${peUrl}    (GET /health, /ready)`);
  say(`  Origination  ${originationUrl}    (GET /health, /ready)`);
  say(`  Gateway      ${gatewayUrl}    (GET /health, /ready)`);
  say(`  psql PE           psql ${dbs.pe}`);
  say(`  psql Origination  psql ${dbs.origination}`);
  say(`  psql Gateway      psql ${dbs.gateway}`);
  say(`  ${keys}`);
  say("Ctrl-C stops everything.");
}

main().catch((err) => {
  process.stderr.write(`[start] cannot start: ${(err as Error)?.message ?? String(err)}\n`);
  process.exit(1);
});
