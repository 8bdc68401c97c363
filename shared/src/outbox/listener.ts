import pg from "pg";
import type { Logger } from "../log.ts";
import { backoffDelayMs } from "./backoff.ts";

export interface ListenerDeps {
  connectionString: string;
  channel: string;
  /** Called on every notification, and after each (re)connect since notifications may have been missed. */
  onNotify: () => void;
  log: Logger;
  /** Shows in pg_stat_activity, so an operator (or a test) can find the connection. */
  applicationName: string;
}

const RECONNECT = { baseDelayMs: 100, maxDelayMs: 10_000 };

/**
 * LISTEN on a dedicated connection (pg-boss's own LISTEN/NOTIFY only wakes its queues' workers). When
 * the connection fails it is dropped and a new one made after a backoff, for as long as the listener
 * runs. A notification lost meanwhile only costs latency: the sweep delivers the row anyway.
 */
export function createListener(deps: ListenerDeps) {
  let client: pg.Client | undefined;
  let stopped = true;
  let failures = 0;
  let listening = false;
  let timer: NodeJS.Timeout | undefined;

  async function connect(): Promise<void> {
    if (stopped) return;
    const c = listeningClient(deps, lost);
    client = c;
    try {
      await c.connect();
      // sql-safe: LISTEN takes no parameters; the channel is our own constant, escaped as an identifier
      await c.query(`listen ${pg.escapeIdentifier(deps.channel)}`);
      if (stopped) return void c.end().catch(() => {});
      listening = true;
      if (failures > 0) deps.log.info("outbox listener reconnected", { after: failures });
      failures = 0;
      deps.onNotify();
    } catch (err) {
      lost(c, err);
    }
  }

  function lost(c: pg.Client, err: unknown): void {
    if (client !== c) return;
    client = undefined;
    listening = false;
    c.removeAllListeners("notification");
    c.end().catch(() => {});
    if (stopped) return;
    failures++;
    const delay = RECONNECT.baseDelayMs + backoffDelayMs(failures, RECONNECT);
    deps.log.warn("outbox listener lost its connection", { err, retryInMs: delay });
    timer = setTimeout(() => void connect(), delay);
    timer.unref();
  }

  return {
    /** Resolves after the first attempt; if it failed, reconnection carries on in the background. */
    async start(): Promise<void> {
      stopped = false;
      await connect();
    },
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      const c = client;
      client = undefined;
      listening = false;
      await c?.end().catch(() => {});
    },
    /** True while a LISTEN connection is up. */
    get connected(): boolean {
      return listening;
    },
  };
}

function listeningClient(deps: ListenerDeps, lost: (c: pg.Client, err: unknown) => void): pg.Client {
  const c = new pg.Client({
    connectionString: deps.connectionString,
    application_name: deps.applicationName,
    keepAlive: true,
    connectionTimeoutMillis: 5_000,
  });
  // Registered before connecting: an error on a client without a listener would kill the process.
  c.on("error", (err) => lost(c, err));
  c.on("end", () => lost(c, new Error("connection ended")));
  c.on("notification", (n) => {
    if (n.channel === deps.channel) deps.onNotify();
  });
  return c;
}
