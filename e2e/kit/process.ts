import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundlePath } from "@loans/db/build";
import { SERVICE_NODE_FLAGS, type ServiceName } from "@loans/db/services";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export type { ServiceName };

/**
 * One service as a real operating-system process, started the way `pnpm start:<name>` starts it,
 * that can be killed (any signal) and started again on the same port.
 */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private closed: Promise<number | null> = Promise.resolve(null);
  /** The last lines it printed, for a failure message. */
  readonly output: string[] = [];
  /** Every whole line it prints, stdout and stderr, as it comes (a test reading the logs sets it). */
  onLine: ((line: string) => void) | undefined;
  exits: Array<{ code: number | null; signal: NodeJS.Signals | null }> = [];

  constructor(
    readonly name: ServiceName,
    readonly port: number,
    private env: Record<string, string>,
    /** Flags for node before the script (`--cpu-prof`, say, which NODE_OPTIONS refuses). */
    private readonly nodeArgs: readonly string[] = [],
    /** The built file to run: the service's own bundle, or another entry built beside it (the bench's baseline). */
    private readonly script: string = bundlePath(name),
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The operating-system process id while it runs (for sampling its memory, say). */
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(readyWithinMs = 30_000): Promise<void> {
    if (this.running) return;
    // Built once per run by the test setup, `pnpm bench` and `pnpm chaos` (buildServices).
    if (!existsSync(this.script)) throw new Error(`${this.script} is missing: run pnpm build`);
    const child = spawn(process.execPath, [...this.nodeArgs, ...SERVICE_NODE_FLAGS, this.script], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: "warn", ...this.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    // A chunk may end in the middle of a line: each stream keeps its unfinished tail for the next one.
    const keep = () => {
      let tail = "";
      return (d: Buffer) => {
        const lines = (tail + d.toString()).split("\n");
        tail = lines.pop() ?? "";
        for (const line of lines) {
          if (!line) continue;
          this.output.push(line);
          this.onLine?.(line);
        }
        if (this.output.length > 200) this.output.splice(0, this.output.length - 200);
      };
    };
    child.stdout?.on("data", keep());
    child.stderr?.on("data", keep());
    this.closed = new Promise((resolve) =>
      child.once("close", (code, signal) => {
        this.exits.push({ code, signal });
        resolve(code);
      }),
    );
    await this.waitReady(readyWithinMs);
  }

  private async waitReady(withinMs: number): Promise<void> {
    const until = Date.now() + withinMs;
    while (Date.now() < until) {
      if (!this.running)
        throw new Error(`${this.name} exited before it was ready:\n${this.output.slice(-20).join("\n")}`);
      try {
        if ((await fetch(`${this.url}/ready`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${this.name} not ready within ${withinMs} ms`);
  }

  /** Sends the signal and waits for the process to be gone; resolves to its exit code. */
  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<number | null> {
    if (!this.running) return this.exits.at(-1)?.code ?? null;
    this.child?.kill(signal);
    return this.closed;
  }

  /** Changes the environment of the next start (`undefined` removes a variable). */
  setEnv(changes: Record<string, string | undefined>): void {
    const env = { ...this.env };
    for (const [k, v] of Object.entries(changes)) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    this.env = env;
  }

  /** Resolves once the process has exited by itself (or been killed), with its exit code. */
  exited(): Promise<number | null> {
    return this.closed;
  }

  async restart(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    await this.kill(signal);
    await this.start();
  }
}
