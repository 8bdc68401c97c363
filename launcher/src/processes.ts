/**
 * The launcher's child processes: a service bundle run with its log lines prefixed by its name, a wait
 * for its `/ready`, and the moment its last output has been printed.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { bundlePath } from "@loans/db/build";
import { SERVICE_NODE_FLAGS, type ServiceName } from "@loans/db/services";

function prefixLines(name: ServiceName, stream: NodeJS.ReadableStream, out: NodeJS.WriteStream) {
  let rest = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop() ?? "";
    for (const l of lines) out.write(`[${name}] ${l}\n`);
  });
}

export function runService(name: ServiceName, cwd: string, env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, bundlePath(name)], {
    cwd,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  prefixLines(name, child.stdout as NodeJS.ReadableStream, process.stdout);
  prefixLines(name, child.stderr as NodeJS.ReadableStream, process.stderr);
  return child;
}

export async function waitReady(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
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
export const closed = (c: ChildProcess) =>
  new Promise<void>((r) => (c.stdout?.readableEnded ? r() : c.once("close", () => r())));
