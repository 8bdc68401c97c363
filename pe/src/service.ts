import { migrate } from "@loans/db";
import { createDatabase, createLogger, createMetrics, listen, ping, startBoss } from "@loans/shared";
import type { RelayOptions } from "@loans/shared/outbox/relay";
import { serviceRelay } from "@loans/shared/outbox/service-relay";
import { WITHDRAWN_TOPIC } from "./agreements/withdraw.service.ts";
import { createPeApp } from "./app.ts";
import type { PeConfig } from "./config.ts";
import type { PeDB } from "./db.ts";
import { applyApplicationAnswer } from "./decisions/decisions.service.ts";
import { PAYOUT_REQUESTED_TOPIC, STATUS_CHANGED_TOPIC } from "./disbursement/disbursement.schemas.ts";
import { applyPayoutAnswer } from "./disbursement/disbursement.service.ts";

/** Migrates, connects, starts the relay and the HTTP server; `stop` undoes it in reverse. */
export interface StartPeOptions {
  relay?: Partial<RelayOptions>;
  /** Also called after each commit that wrote outbox rows, beside the relay's wake (tests count them). */
  afterCommit?: () => void;
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
    "agreement.created": { url: `${config.ORIGINATION_URL}/internal/applications`, onAnswer: applyApplicationAnswer },
    // Origination's answer is its application's status, always WITHDRAWN: nothing to apply here.
    [WITHDRAWN_TOPIC]: { url: `${config.ORIGINATION_URL}/internal/withdrawals` },
    [PAYOUT_REQUESTED_TOPIC]: { url: `${config.GATEWAY_URL}/internal/payouts`, onAnswer: applyPayoutAnswer },
    // LIFECYCLE §8.9: this topic goes to Origination AND to PG (`${config.GATEWAY_URL}/internal/agreement-events`,
    // already served). The relay routes a topic to one URL today; PG's destination is added here once
    // routes take several destinations. Origination's answer is its application's status: nothing to apply.
    [STATUS_CHANGED_TOPIC]: { url: `${config.ORIGINATION_URL}/internal/agreement-events` },
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
