/** A stoppable background job as the service kit runs them beside a service's workers (kit/start-service.ts). */
export interface PeriodicJob {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs `run` right away and then every `everyMs` (hourly by default) on an unref'd timer, a failure logged
 * as `<what> failed` and tried again next time; `stop` clears the timer and waits for a run in progress.
 * The table purges use it: several instances purging at once only delete the same rows.
 */
export function periodic(
  what: string,
  run: () => Promise<unknown>,
  log: { warn(msg: string, fields?: Record<string, unknown>): void },
  everyMs = 3_600_000,
): PeriodicJob {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = run().catch((err) => log.warn(`${what} failed`, { err }));
  };
  return {
    async start() {
      tick();
      timer = setInterval(tick, everyMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
