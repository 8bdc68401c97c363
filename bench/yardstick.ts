/**
 * PostgreSQL's own yardstick on the server the bench uses: pgbench's TPC-B at scale 10, 8 clients and then
 * 1, in a scratch database made for it and dropped after. `pnpm bench` runs it first and prints every
 * figure also as a ratio to it (bench/yardstick-figures.ts), since the absolute figures on a shared machine
 * move by 2× from day to day.
 *
 * Alone: `node --import tsx bench/yardstick.ts [<server URL>] [--seconds <s>]` (the URL defaults to
 * BENCH_PE_DATABASE_URL); `pnpm bench --yardstick-only` runs it against the embedded server instead.
 */

import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { delimiter, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { dropDatabase, ensureDatabase, withDatabase } from "@loans/db";
import { numberFlag, parseCommandLine, parseOrExit, UsageError } from "@loans/shared/args";
import pg from "pg";
import { line } from "./load.ts";
import { type PgbenchFigures, parsePgbench, type YardstickRuns } from "./yardstick-figures.ts";

const run = promisify(execFile);

export const YARDSTICK_SCALE = 10;
/** The services prepare their statements once per connection, so pgbench does too. */
export const YARDSTICK_QUERY_MODE = "prepared";

export interface Yardstick extends YardstickRuns {
  /** pgbench's path and `--version`. */
  pgbench: { path: string; version: string };
  /** The server's `server_version`. */
  server: string;
  workload: string;
  scale: number;
  queryMode: string;
  seconds: number;
  /** The pgbench command lines, without the connection string. */
  commands: string[];
}

/** The yardstick, or why there is none (no pgbench, or pgbench failed): the bench goes on without ratios. */
export type YardstickOutcome = { ok: true; yardstick: Yardstick } | { ok: false; reason: string };

const executable = async (path: string) => {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** The server's own binaries folder (`pg_config`'s BINDIR), when it is readable to us; superusers only. */
async function serverBinDir(c: pg.Client): Promise<string | undefined> {
  try {
    const r = await c.query<{ setting: string }>("select setting from pg_config where name = 'BINDIR'");
    return r.rows[0]?.setting;
  } catch {
    return undefined;
  }
}

/** pgbench on PATH, or beside the server's binaries (when the server runs on this machine). */
export async function findPgbench(binDir?: string): Promise<string | undefined> {
  const dirs = [...(process.env.PATH ?? "").split(delimiter).filter(Boolean), ...(binDir ? [binDir] : [])];
  for (const dir of dirs) {
    const path = join(dir, "pgbench");
    if (await executable(path)) return path;
  }
  return undefined;
}

/** The connection string without its password, which goes in PGPASSWORD instead of on a command line. */
function connection(url: string) {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = "";
  return { conninfo: u.toString(), env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) } };
}

/**
 * Runs the yardstick against `serverUrl`'s server in `bench_pgbench_<run>`, dropped afterwards. Never
 * throws for want of pgbench or a failed run: the outcome says why, and the caller goes on without ratios.
 */
export async function runYardstick(
  serverUrl: string,
  opts: { seconds: number; run: string },
): Promise<YardstickOutcome> {
  const c = new pg.Client({ connectionString: withDatabase(serverUrl, "postgres") });
  await c.connect();
  let server: string;
  let binDir: string | undefined;
  try {
    server = (await c.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]?.v ?? "?";
    binDir = await serverBinDir(c);
  } finally {
    await c.end();
  }
  const path = await findPgbench(binDir);
  if (!path)
    return {
      ok: false,
      reason:
        "no pgbench on PATH or beside the server's binaries: no yardstick, no ratios (apt-get install postgresql-client)",
    };
  const database = `bench_pgbench_${opts.run}`;
  const { conninfo, env } = connection(withDatabase(serverUrl, database));
  const seconds = String(opts.seconds);
  const commands = [
    ["-i", "-s", String(YARDSTICK_SCALE), "-q"],
    ["-M", YARDSTICK_QUERY_MODE, "-c", "8", "-j", "2", "-T", seconds],
    ["-M", YARDSTICK_QUERY_MODE, "-c", "1", "-T", seconds],
  ] as const;
  const pgbench = async (args: readonly string[]) => {
    try {
      const r = await run(path, [...args, conninfo], { env, timeout: (opts.seconds * 3 + 300) * 1000 });
      return r.stdout;
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      const said = (e.stderr ?? "").trim().split("\n").slice(-3).join("\n");
      throw new Error(`pgbench ${args.join(" ")} failed: ${said || e.message}`);
    }
  };
  try {
    const version = (await run(path, ["--version"])).stdout.trim();
    line(`yardstick: ${version} against PostgreSQL ${server}: pgbench -i -s ${YARDSTICK_SCALE} in ${database}`);
    await ensureDatabase(serverUrl, database);
    await pgbench(commands[0]);
    const measure = async (args: readonly string[], clients: string) => {
      line(`yardstick: TPC-B, ${YARDSTICK_QUERY_MODE}, ${clients} for ${seconds} s`);
      const f: PgbenchFigures = parsePgbench(await pgbench(args));
      line(`yardstick: ${clients}: ${f.tps.toFixed(0)} tps, latency average ${f.latencyMs} ms`);
      return f;
    };
    const eightClients = await measure(commands[1], "8 clients");
    const oneClient = await measure(commands[2], "1 client");
    const yardstick: Yardstick = {
      pgbench: { path, version },
      server,
      workload: "TPC-B (sort of), pgbench's builtin",
      scale: YARDSTICK_SCALE,
      queryMode: YARDSTICK_QUERY_MODE,
      seconds: opts.seconds,
      commands: commands.map((a) => `pgbench ${a.join(" ")}`),
      eightClients,
      oneClient,
    };
    return { ok: true, yardstick };
  } catch (err) {
    return { ok: false, reason: `yardstick failed, going on without ratios: ${(err as Error).message}` };
  } finally {
    await dropDatabase(serverUrl, database).catch(() => {});
  }
}

/** One line: what the server did under pgbench. */
export function describeYardstick(y: Yardstick): string {
  const m = y.eightClients;
  const one = y.oneClient;
  return (
    `yardstick (pgbench TPC-B, scale ${y.scale}, ${y.queryMode}, ${y.seconds} s each, PostgreSQL ${y.server}): ` +
    `8 clients ${m.tps.toFixed(0)} tps, latency ${m.latencyMs.toFixed(2)} ms; ` +
    `1 client ${one.tps.toFixed(0)} tps, latency ${one.latencyMs.toFixed(3)} ms`
  );
}

const USAGE = `usage: node --import tsx bench/yardstick.ts [<server URL>] [--seconds <s>]
  the server defaults to BENCH_PE_DATABASE_URL; pnpm bench --yardstick-only uses the embedded one`;

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { url, seconds } = parseOrExit(() => {
    const { values, positionals } = parseCommandLine(
      process.argv.slice(2),
      { seconds: { type: "string" }, help: { type: "boolean", short: "h", default: false } },
      USAGE,
      true,
    );
    if (values.help) throw new UsageError(USAGE, 0);
    const url = positionals[0] ?? process.env.BENCH_PE_DATABASE_URL;
    if (!url || positionals.length > 1) throw new UsageError(USAGE);
    const seconds =
      values.seconds === undefined
        ? 10
        : numberFlag("seconds", values.seconds, { min: 1, max: 600, integer: true }, USAGE);
    return { url, seconds };
  });
  const outcome = await runYardstick(url, { seconds, run: String(process.pid) });
  if (!outcome.ok) {
    line(outcome.reason);
    process.exitCode = 1;
  } else process.stdout.write(`${JSON.stringify(outcome.yardstick, null, 2)}\n`);
}
