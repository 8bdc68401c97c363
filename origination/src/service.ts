import { applicationDecided } from "@loans/contracts";
import { serviceEntry } from "@loans/db/services";
import { defineService, type StartOptions, startService } from "@loans/shared/kit/start-service";
import { route } from "@loans/shared/outbox";
import { createOriginationApp } from "./app.ts";
import { applyDecisionAck, applyDecisionAcks } from "./applications/decision-ack.ts";
import type { OriginationConfig } from "./config.ts";
import { countDecisions, watchScoringQueue } from "./scoring/scoring.metrics.ts";
import { createScoringWorker } from "./scoring/scoring.worker.ts";

/**
 * Origination as the service kit runs it: its entry, its routes, its outbox's peer and the scoring worker.
 * It has no pg-boss queue of its own: scoring takes its work from the applications table.
 */
export const originationSpec = (config: OriginationConfig) =>
  defineService({
    service: serviceEntry("origination"),
    config,
    relayRoutes: () => [
      route(applicationDecided, {
        destination: "pe",
        url: `${config.PE_URL}/internal/decisions`,
        onAnswer: applyDecisionAck,
        onAnswers: applyDecisionAcks,
      }),
    ],
    workers: (deps) => {
      watchScoringQueue(deps.metrics, deps.db);
      return { scoring: createScoringWorker({ ...deps, countDecision: countDecisions(deps.metrics) }) };
    },
    app: ({ workers, ...deps }) => createOriginationApp({ ...deps, wakeScoring: workers.scoring.wake }),
  });

/** Migrates, connects, starts the relay, the scoring worker and the HTTP server; `stop` undoes it in reverse. */
export const startOrigination = (config: OriginationConfig, opts: StartOptions = {}) =>
  startService(originationSpec(config), opts);
