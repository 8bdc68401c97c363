/**
 * The process shell of a service: starts it, turns a failed start into one line on stderr and a
 * non-zero exit, and on SIGTERM or SIGINT stops it within a bound.
 */
export async function runService(name: string, start: () => Promise<{ stop(): Promise<void> }>, stopWithinMs = 10_000) {
  let running: { stop(): Promise<void> };
  try {
    running = await start();
  } catch (err) {
    console.error(`${name}: cannot start: ${oneLine(err)}`);
    process.exit(1);
  }
  // A promise dropped somewhere that fails while the database restarts must not take the process down:
  // a library settling a worker's jobs without catching, say. Everything durable is in the database,
  // and the relay and the sweeps pick it up.
  process.on("unhandledRejection", (err) => {
    process.stderr.write(
      `${JSON.stringify({ level: "error", service: name, msg: "unhandled rejection", err: String((err as Error)?.stack ?? err) })}\n`,
    );
  });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const timer = setTimeout(() => {
      console.error(`${name}: still stopping after ${stopWithinMs} ms, exiting`);
      process.exit(1);
    }, stopWithinMs);
    timer.unref();
    try {
      await running.stop();
      // stdout to a pipe is asynchronous: exit only once the last line is out.
      process.stdout.write(`${JSON.stringify({ level: "info", service: name, msg: `stopped on ${signal}` })}\n`, () =>
        process.exit(0),
      );
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
