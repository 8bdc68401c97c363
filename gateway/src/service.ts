import { randomBytes } from "node:crypto";
import { paymentSucceeded, payoutSettled } from "@loans/contracts";
import { serviceEntry } from "@loans/db/services";
import { defineService, type ServiceDeps, type StartOptions, startService } from "@loans/shared/kit/start-service";
import { route, type TopicRoute } from "@loans/shared/outbox";
import { createGatewayApp } from "./app.ts";
import { simulatedBank } from "./bank/simulated.ts";
import { createBankWorker } from "./bank/worker.ts";
import type { GatewayConfig } from "./config.ts";
import type { GatewayDB } from "./db.ts";
import { paymentMovements } from "./payments/payments.bank.ts";
import { paymentMetrics } from "./payments/payments.metrics.ts";
import { PAYMENTS_QUEUE } from "./payments/payments.queue.ts";
import { payoutMovements } from "./payouts/payouts.bank.ts";
import { payoutMetrics } from "./payouts/payouts.metrics.ts";
import { PAYOUTS_QUEUE } from "./payouts/payouts.queue.ts";

/** The Payment Gateway as the service kit runs it: its entry, its routes, its outbox's peer and the bank workers. */
export const gatewaySpec = (config: GatewayConfig) => {
  // Unset, a seed of its own, logged, so that a run can be repeated.
  const seed = config.BANK_SEED ?? randomBytes(8).toString("hex");
  return defineService({
    service: serviceEntry("gateway"),
    config,
    // Both go to PE in one order per agreement (the relay's (destination, aggregate) order), so PE learns
    // of the disbursement's PAID before the agreement's first payment. PE answers `{agreementStatus}` to the
    // first and `{appliedOn, allocation}` to the second: nothing for PG to apply; its `retry`
    // (NOT_ACTIVE_YET) is retried like any other.
    relayRoutes: (): TopicRoute<GatewayDB>[] => [
      route(payoutSettled, { destination: "pe", url: `${config.PE_URL}/internal/payout-results` }),
      route(paymentSucceeded, { destination: "pe", url: `${config.PE_URL}/internal/payments` }),
    ],
    queues: [PAYOUTS_QUEUE, PAYMENTS_QUEUE],
    // Started before the server listens: an intake enqueues into the queues the workers create.
    workers: (deps: ServiceDeps<GatewayDB, GatewayConfig>) => {
      const behaviour = {
        latency: config.BANK_LATENCY_MS,
        failureRate: config.BANK_FAILURE_RATE,
        errorRate: config.BANK_ERROR_RATE,
        seed,
      };
      deps.log.info("simulated bank", { bankSeed: seed });
      const countCall = payoutMetrics(deps.metrics, deps.db);
      paymentMetrics(deps.metrics, deps.db);
      // One bank, two views of it: each counts its calls under its own op labels.
      const payoutBank = simulatedBank(deps.db, behaviour, countCall);
      const paymentBank = simulatedBank(deps.db, behaviour, (c) => countCall({ ...c, op: `payment_${c.op}` }));
      const crashAt = config.GATEWAY_CRASH_AT;
      const common = { ...deps, ...(crashAt && { crashAt }) };
      return {
        bank: createBankWorker({ ...common, bank: payoutBank, kind: payoutMovements }),
        paymentBank: createBankWorker({ ...common, bank: paymentBank, kind: paymentMovements }),
      };
    },
    app: ({ workers, ...deps }) =>
      createGatewayApp({ ...deps, wakeBank: workers.bank.wake, wakePaymentBank: workers.paymentBank.wake }),
  });
};

/** Migrates, connects, starts the relay, the bank workers and the HTTP server; `stop` undoes it in reverse. */
export const startGateway = (config: GatewayConfig, opts: StartOptions = {}) => startService(gatewaySpec(config), opts);
