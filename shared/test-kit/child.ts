import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";

const root = join(import.meta.dirname, "..", "..");

export interface Child {
  process: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** Runs a TypeScript file of this repository in a new Node process, as `node --import tsx` would. */
export function spawnTs(file: string, args: string[], env: Record<string, string>): Child {
  const child = spawn(process.execPath, ["--import", "tsx", join(root, file), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { process: child, output: () => out, exited };
}

/** Runs to the end and gives back what it printed. */
export async function runTs(
  file: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; out: string }> {
  const c = spawnTs(file, args, env);
  const code = await c.exited;
  return { code, out: c.output() };
}
