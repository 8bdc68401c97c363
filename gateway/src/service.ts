import { randomBytes } from "node:crypto";
import { serviceEntry } from "@loans/db/services";
import { defineService, type ServiceDeps, type StartOptions, startService } from "@loans/shared/kit/start-service";
import { createGatewayApp } from "./app.ts";
import { simulatedBank } from "./bank/simulated.ts";
import type { GatewayConfig } from "./config.ts";
import type { GatewayDB } from "./db.ts";
import { createBankWorker, SETTLED_TOPIC } from "./payouts/bank.worker.ts";
import { payoutMetrics } from "./payouts/payouts.metrics.ts";
import { PAYOUTS_QUEUE } from "./payouts/payouts.queue.ts";

/** The Payment Gateway as the service kit runs it: its entry, its routes, its outbox's peer and the bank worker. */
export const gatewaySpec = (config: GatewayConfig) => {
  // Unset, a seed of its own, logged, so that a run can be repeated.
  const seed = config.BANK_SEED ?? randomBytes(8).toString("hex");
  return defineService({
    service: serviceEntry("gateway"),
    config,
    // PE answers `{agreementStatus}`: nothing for PG to apply.
    relayRoutes: () => ({ [SETTLED_TOPIC]: { destination: "pe", url: `${config.PE_URL}/internal/payout-results` } }),
    queues: [PAYOUTS_QUEUE],
    // Started before the server listens: an intake enqueues into the queue the worker creates.
    workers: (deps: ServiceDeps<GatewayDB, GatewayConfig>) => {
      const behaviour = {
        latency: config.BANK_LATENCY_MS,
        failureRate: config.BANK_FAILURE_RATE,
        errorRate: config.BANK_ERROR_RATE,
        seed,
      };
      deps.log.info("simulated bank", { bankSeed: seed });
      const bank = simulatedBank(deps.db, behaviour, payoutMetrics(deps.metrics, deps.db));
      const crashAt = config.GATEWAY_CRASH_AT;
      return { bank: createBankWorker({ ...deps, bank, ...(crashAt && { crashAt }) }) };
    },
    app: ({ workers, ...deps }) => createGatewayApp({ ...deps, wakeBank: workers.bank.wake }),
  });
};

/** Migrates, connects, starts the relay, the bank worker and the HTTP server; `stop` undoes it in reverse. */
export const startGateway = (config: GatewayConfig, opts: StartOptions = {}) => startService(gatewaySpec(config), opts);
