import { serviceEntry } from "@loans/db/services";
import { defineService, type StartOptions, startService } from "@loans/shared/kit/start-service";
import { createPeApp } from "./app.ts";
import { createBusinessClock } from "./business-date/clock.ts";
import { cobDayRunner } from "./cob/cob.ts";
import { COB_QUEUE, createCobWorker } from "./cob/cob-schedule.ts";
import type { PeConfig } from "./config.ts";
import { applyApplicationAnswer, applyApplicationAnswers } from "./decisions/decisions.service.ts";
import { applyPayoutAnswer } from "./disbursement/payout-result.ts";
import { PAYOUT_REQUESTED_TOPIC } from "./lifecycle/payouts.ts";
import { STATUS_CHANGED_TOPIC } from "./lifecycle/status-changed.ts";
import { WITHDRAWN_TOPIC } from "./lifecycle/withdrawn.ts";

/**
 * PE as the service kit runs it: its registry entry, its routes, what its outbox sends where, and the
 * daily job's driver.
 */
export const peSpec = (config: PeConfig) => {
  // One clock for the whole process: the routes, the relay's answers and the daily job read the same date.
  const clock = createBusinessClock(config);
  const runCobDay = cobDayRunner(config.COB_CONCURRENCY);
  return defineService({
    service: serviceEntry("pe"),
    config,
    relayRoutes: () => ({
      "agreement.created": {
        destination: "origination",
        url: `${config.ORIGINATION_URL}/internal/applications`,
        onAnswer: applyApplicationAnswer,
        onAnswers: applyApplicationAnswers,
      },
      // Origination's answer is its application's status, always WITHDRAWN: nothing to apply here.
      [WITHDRAWN_TOPIC]: { destination: "origination", url: `${config.ORIGINATION_URL}/internal/withdrawals` },
      [PAYOUT_REQUESTED_TOPIC]: {
        destination: "gateway",
        url: `${config.GATEWAY_URL}/internal/payouts`,
        onAnswer: (trx, message, result) => applyPayoutAnswer(trx, message, result, clock),
      },
      // LIFECYCLE §8.9: one topic, two destinations, each delivered, retried and ordered on its own. Both
      // answer with the status they now record: nothing to apply here.
      [STATUS_CHANGED_TOPIC]: [
        { destination: "origination", url: `${config.ORIGINATION_URL}/internal/agreement-events` },
        { destination: "gateway", url: `${config.GATEWAY_URL}/internal/agreement-events` },
      ],
    }),
    queues: [COB_QUEUE],
    workers: (deps) => ({ cob: createCobWorker({ ...deps, clock, runCobDay }) }),
    app: ({ workers: _workers, ...deps }) => createPeApp({ ...deps, clock, runCobDay }),
  });
};

export type StartPeOptions = StartOptions;

/** Migrates, connects, starts the relay and the HTTP server; `stop` undoes it in reverse. */
export const startPe = (config: PeConfig, opts: StartPeOptions = {}) => startService(peSpec(config), opts);
