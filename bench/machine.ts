import { execFileSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import pg from "pg";

/** The machine the figures came from: CPU model and cores, RAM, Node, PostgreSQL. */
export async function machine(serverUrl: string) {
  let cpuModel = cpus()[0]?.model ?? "unknown CPU";
  try {
    const m = /Model name:\s*(.+)/.exec(execFileSync("lscpu", { encoding: "utf8" }))?.[1];
    if (m) cpuModel = m.trim();
  } catch {
    // no lscpu: keep what Node reports
  }
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  const postgres = (await c.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]?.v ?? "?";
  await c.end();
  return {
    cpuModel,
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    postgres,
  };
}

/** The commit the bench ran on, "+dirty" when the tree had changes: `pnpm bench:compare` groups runs by it. */
export function revision(): string {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { encoding: "utf8" }).trim();
    return dirty ? `${head}+dirty` : head;
  } catch {
    return "unknown";
  }
}
