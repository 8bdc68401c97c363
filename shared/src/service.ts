import { createLogger, type Logger } from "./log.ts";

/** A started service as the shell sees it: something to stop, and the logger its lines go through. */
export interface Stoppable {
  /** `drain`: stopped by a signal, the server serves on a while before it stops accepting (http/server.ts). */
  stop(opts?: { drain?: boolean }): Promise<void>;
  log?: Logger;
  /** Its own bound on a draining stop, over `runService`'s default. */
  stopWithinMs?: number;
}

/**
 * The process shell of a service: starts it, turns a failed start into one line on stderr and a
 * non-zero exit, and on SIGTERM or SIGINT stops it, draining, within a bound (the service's own if it
 * has one). Once started, its own lines go through the service's logger.
 */
export async function runService(name: string, start: () => Promise<Stoppable>, stopWithinMs = 10_000) {
  let running: Stoppable;
  try {
    running = await start();
  } catch (err) {
    console.error(`${name}: cannot start: ${oneLine(err)}`);
    process.exit(1);
  }
  // A promise dropped somewhere that fails while the database restarts must not take the process down:
  // a library settling a worker's jobs without catching, say. Everything durable is in the database,
  // and the relay and the sweeps pick it up.
  const log = running.log ?? createLogger(name);
  process.on("unhandledRejection", (err) => log.error("unhandled rejection", { err }));
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const bound = running.stopWithinMs ?? stopWithinMs;
    const timer = setTimeout(() => {
      console.error(`${name}: still stopping after ${bound} ms, exiting`);
      process.exit(1);
    }, bound);
    timer.unref();
    try {
      await running.stop({ drain: true });
      // The logger writes synchronously: the line is out before the process exits.
      log.info(`stopped on ${signal}`);
      process.exit(0);
    } catch (err) {
      console.error(`${name}: error while stopping: ${oneLine(err)}`);
      process.exit(1);
    }
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

export function oneLine(err: unknown): string {
  const e = err as { message?: string; code?: string; errors?: unknown[] };
  // pg reports an unreachable host as an AggregateError with an empty message.
  const msg = e?.message || (Array.isArray(e?.errors) ? e.errors.map(oneLine).join("; ") : "") || String(err);
  return (e?.code ? `${e.code}: ${msg}` : msg).replace(/\s+/g, " ").trim();
}
