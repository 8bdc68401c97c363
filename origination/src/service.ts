import { serviceEntry } from "@loans/db/services";
import { defineService, type StartOptions, startService } from "@loans/shared/kit/start-service";
import { createOriginationApp } from "./app.ts";
import { applyDecisionAck } from "./applications/decision-ack.ts";
import type { OriginationConfig } from "./config.ts";
import { countDecisions } from "./scoring/scoring.metrics.ts";
import { SCORING_QUEUE } from "./scoring/scoring.queue.ts";
import { DECIDED_TOPIC } from "./scoring/scoring.service.ts";
import { createScoringWorker } from "./scoring/scoring.worker.ts";

/** Origination as the service kit runs it: its entry, its routes, its outbox's peer and the scoring worker. */
export const originationSpec = (config: OriginationConfig) =>
  defineService({
    service: serviceEntry("origination"),
    config,
    relayRoutes: () => ({
      [DECIDED_TOPIC]: { destination: "pe", url: `${config.PE_URL}/internal/decisions`, onAnswer: applyDecisionAck },
    }),
    queues: [SCORING_QUEUE],
    // Started before the server listens: an intake enqueues into the queue the worker creates.
    workers: (deps) => ({ scoring: createScoringWorker({ ...deps, countDecision: countDecisions(deps.metrics) }) }),
    app: ({ workers, ...deps }) => createOriginationApp({ ...deps, wakeScoring: workers.scoring.wake }),
  });

/** Migrates, connects, starts the relay, the scoring worker and the HTTP server; `stop` undoes it in reverse. */
export const startOrigination = (config: OriginationConfig, opts: StartOptions = {}) =>
  startService(originationSpec(config), opts);
