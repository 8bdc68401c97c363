import { randomBytes } from "node:crypto";
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
import type { RelayOptions } from "@loans/shared/outbox/relay";
import { serviceRelay } from "@loans/shared/outbox/service-relay";
import { createGatewayApp } from "./app.ts";
import { simulatedBank } from "./bank/simulated.ts";
import type { GatewayConfig } from "./config.ts";
import type { GatewayDB } from "./db.ts";
import { createBankWorker, SETTLED_TOPIC } from "./payouts/bank.worker.ts";
import { payoutMetrics } from "./payouts/payouts.metrics.ts";
import { PAYOUTS_QUEUE } from "./payouts/payouts.queue.ts";

/** Migrates, connects, starts the relay, the bank worker and the HTTP server; `stop` undoes it in reverse. */
export async function startGateway(config: GatewayConfig, opts: { relay?: Partial<RelayOptions> } = {}) {
  const log = createLogger("gateway", config.LOG_LEVEL);
  const handle = createDatabase<GatewayDB>(config.GATEWAY_DATABASE_URL);
  try {
    await ping(handle.pool);
    const { applied } = await migrate(config.GATEWAY_DATABASE_URL, "gateway");
    if (applied.length > 0) log.info("migrated", { applied });
  } catch (err) {
    await handle.close();
    throw err;
  }
  const boss = await startBoss(config.GATEWAY_DATABASE_URL, log);
  // PE answers `{agreementStatus}`: nothing for PG to apply.
  const routes = { [SETTLED_TOPIC]: { url: `${config.PE_URL}/internal/payout-results` } };
  const metrics = createMetrics("gateway");
  const relay = serviceRelay<GatewayDB>({
    name: "gateway",
    db: handle.db,
    connectionString: config.GATEWAY_DATABASE_URL,
    boss,
    routes,
    config,
    log,
    metrics,
    queues: [PAYOUTS_QUEUE],
    overrides: opts.relay,
  });
  await relay.start();
  const seed = config.BANK_SEED ?? randomBytes(8).toString("hex");
  const behaviour = {
    latency: config.BANK_LATENCY_MS,
    failureRate: config.BANK_FAILURE_RATE,
    errorRate: config.BANK_ERROR_RATE,
    seed,
  };
  const bank = simulatedBank(handle.db, behaviour, payoutMetrics(metrics, handle.db));
  const worker = createBankWorker({
    db: handle.db,
    boss,
    bank,
    log,
    afterCommit: relay.wake,
    ...(config.GATEWAY_CRASH_AT && { crashAt: config.GATEWAY_CRASH_AT }),
  });
  let server: RunningServer;
  try {
    // Before the server listens: an intake enqueues into the queue this creates.
    await worker.start();
    const app = createGatewayApp({
      config,
      db: handle.db,
      pool: handle.pool,
      boss,
      log,
      metrics,
      wakeBank: worker.wake,
    });
    server = await listen(app, config.GATEWAY_PORT, config.GATEWAY_HOST, {
      requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
    });
  } catch (err) {
    await worker.stop().catch(() => {});
    await relay.stop().catch(() => {});
    await boss.stop({ graceful: false, wait: true }).catch(() => {});
    await handle.close();
    throw err;
  }
  log.info("listening", { url: server.url, bankSeed: seed });
  return {
    url: server.url,
    port: server.port,
    db: handle.db,
    relay,
    worker,
    async stop() {
      await server.close();
      await worker.stop();
      await relay.stop();
      await boss.stop({ graceful: true, wait: true, timeout: 5_000 });
      await handle.close();
    },
  };
}
