import { migrate } from "@loans/db";
import { createDatabase, createLogger, createMetrics, listen, ping, startBoss } from "@loans/shared";
import { type RelayOptions, type RelayTransport, serviceRelay } from "@loans/shared/outbox";
import { WITHDRAWN_TOPIC } from "./agreements/withdraw.service.ts";
import { createPeApp } from "./app.ts";
import type { PeConfig } from "./config.ts";
import type { PeDB } from "./db.ts";
import { applyApplicationAnswer } from "./decisions/decisions.service.ts";

/** Migrates, connects, starts the relay and the HTTP server; `stop` undoes it in reverse. */
export interface StartPeOptions {
  relay?: Partial<RelayOptions>;
  /** Also called after each commit that wrote outbox rows, beside the relay's wake (tests count them). */
  afterCommit?: () => void;
  /** In place of the relay: the benchmarks' baseline (bench/), never in production. */
  transport?: RelayTransport;
}

export async function startPe(config: PeConfig, opts: StartPeOptions = {}) {
  const log = createLogger("pe", config.LOG_LEVEL);
  const handle = createDatabase<PeDB>(config.PE_DATABASE_URL);
  try {
    await ping(handle.pool);
    const { applied } = await migrate(config.PE_DATABASE_URL, "pe");
    if (applied.length > 0) log.info("migrated", { applied });
  } catch (err) {
    await handle.close();
    throw err;
  }
  const boss = await startBoss(config.PE_DATABASE_URL, log);
  const routes = {
    "agreement.created": {
      destination: "origination",
      url: `${config.ORIGINATION_URL}/internal/applications`,
      onAnswer: applyApplicationAnswer,
    },
    // Origination's answer is its application's status, always WITHDRAWN: nothing to apply here.
    [WITHDRAWN_TOPIC]: { destination: "origination", url: `${config.ORIGINATION_URL}/internal/withdrawals` },
  };
  const metrics = createMetrics("pe");
  const relay = serviceRelay<PeDB>({
    name: "pe",
    db: handle.db,
    connectionString: config.PE_DATABASE_URL,
    boss,
    routes,
    config,
    log,
    metrics,
    overrides: opts.relay,
    transport: opts.transport,
  });
  await relay.start();
  const afterCommit = () => {
    relay.wake();
    opts.afterCommit?.();
  };
  const app = createPeApp({ config, db: handle.db, pool: handle.pool, boss, log, metrics, afterCommit });
  const server = await listen(app, config.PE_PORT, config.PE_HOST, {
    requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
  });
  log.info("listening", { url: server.url });
  return {
    url: server.url,
    port: server.port,
    db: handle.db,
    relay,
    async stop() {
      await server.close();
      await relay.stop();
      await boss.stop({ graceful: true, wait: true, timeout: 5_000 });
      await handle.close();
    },
  };
}
