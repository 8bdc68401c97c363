import { migrate } from "@loans/db";
import {
  createDatabase,
  createLogger,
  createMetrics,
  listen,
  ping,
  type RunningServer,
  startBoss,
} from "@loans/shared";
import { type RelayOptions, type RelayTransport, serviceRelay } from "@loans/shared/outbox";
import { createOriginationApp } from "./app.ts";
import { applyDecisionAck } from "./applications/decision-ack.ts";
import type { OriginationConfig } from "./config.ts";
import type { OriginationDB } from "./db.ts";
import { countDecisions } from "./scoring/scoring.metrics.ts";
import { SCORING_QUEUE } from "./scoring/scoring.queue.ts";
import { DECIDED_TOPIC } from "./scoring/scoring.service.ts";
import { createScoringWorker } from "./scoring/scoring.worker.ts";

/** Migrates, connects, starts the workers and the HTTP server; `stop` undoes it in reverse. */
export async function startOrigination(
  config: OriginationConfig,
  opts: { relay?: Partial<RelayOptions>; transport?: RelayTransport } = {},
) {
  const log = createLogger("origination", config.LOG_LEVEL);
  const handle = createDatabase<OriginationDB>(config.ORIGINATION_DATABASE_URL);
  try {
    await ping(handle.pool);
    const { applied } = await migrate(config.ORIGINATION_DATABASE_URL, "origination");
    if (applied.length > 0) log.info("migrated", { applied });
  } catch (err) {
    await handle.close();
    throw err;
  }
  const boss = await startBoss(config.ORIGINATION_DATABASE_URL, log);
  const routes = {
    [DECIDED_TOPIC]: { destination: "pe", url: `${config.PE_URL}/internal/decisions`, onAnswer: applyDecisionAck },
  };
  const metrics = createMetrics("origination");
  const relay = serviceRelay<OriginationDB>({
    name: "origination",
    db: handle.db,
    connectionString: config.ORIGINATION_DATABASE_URL,
    boss,
    routes,
    config,
    log,
    metrics,
    queues: [SCORING_QUEUE],
    overrides: opts.relay,
    transport: opts.transport,
  });
  await relay.start();
  const afterCommit = relay.wake;
  const countDecision = countDecisions(metrics);
  const scoring = createScoringWorker({ db: handle.db, boss, config, log, countDecision, afterCommit });
  let server: RunningServer;
  try {
    // Before the server listens: an intake enqueues into the queue this creates.
    await scoring.start();
    const app = createOriginationApp({
      config,
      db: handle.db,
      pool: handle.pool,
      boss,
      log,
      metrics,
      wakeScoring: scoring.wake,
      afterCommit,
    });
    server = await listen(app, config.ORIGINATION_PORT, config.ORIGINATION_HOST, {
      requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
    });
  } catch (err) {
    await scoring.stop().catch(() => {});
    await relay.stop().catch(() => {});
    await boss.stop({ graceful: false, wait: true }).catch(() => {});
    await handle.close();
    throw err;
  }
  log.info("listening", { url: server.url });
  return {
    url: server.url,
    port: server.port,
    db: handle.db,
    relay,
    async stop() {
      await server.close();
      await scoring.stop();
      await relay.stop();
      await boss.stop({ graceful: true, wait: true, timeout: 5_000 });
      await handle.close();
    },
  };
}
