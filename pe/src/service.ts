import { agreementCreated, agreementStatusChanged, agreementWithdrawn, payoutRequested } from "@loans/contracts";
import { serviceEntry } from "@loans/db/services";
import { defineService, type StartOptions, startService } from "@loans/shared/kit/start-service";
import { route, type TopicRoute } from "@loans/shared/outbox";
import { createPeApp } from "./app.ts";
import { createBusinessClock } from "./business-date/clock.ts";
import { redateOnCalendarChange } from "./calendar/redate.ts";
import { cobDayRunner } from "./cob/cob.ts";
import { COB_QUEUE, createCobWorker } from "./cob/cob-schedule.ts";
import type { PeConfig } from "./config.ts";
import type { PeDB } from "./db.ts";
import { applyApplicationAnswer, applyApplicationAnswers } from "./decisions/decisions.service.ts";
import { applyPayoutAnswer } from "./disbursement/payout-result.ts";

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
    relayRoutes: (): TopicRoute<PeDB>[] => [
      route(agreementCreated, {
        destination: "origination",
        url: `${config.ORIGINATION_URL}/internal/applications`,
        onAnswer: applyApplicationAnswer,
        onAnswers: applyApplicationAnswers,
      }),
      // Origination's answer is its application's status, always WITHDRAWN: nothing to apply here.
      route(agreementWithdrawn, { destination: "origination", url: `${config.ORIGINATION_URL}/internal/withdrawals` }),
      route(payoutRequested, {
        destination: "gateway",
        url: `${config.GATEWAY_URL}/internal/payouts`,
        onAnswer: (trx, message, answer) => applyPayoutAnswer(trx, message, answer, clock),
      }),
      // LIFECYCLE §8.9: one topic, two destinations, each delivered, retried and ordered on its own. Both
      // answer with the status they now record: nothing to apply here.
      route(agreementStatusChanged, [
        { destination: "origination", url: `${config.ORIGINATION_URL}/internal/agreement-events` },
        { destination: "gateway", url: `${config.GATEWAY_URL}/internal/agreement-events` },
      ]),
    ],
    queues: [COB_QUEUE],
    workers: (deps) => ({ cob: createCobWorker({ ...deps, clock, runCobDay }) }),
    app: ({ workers: _workers, ...deps }) =>
      createPeApp({ ...deps, clock, runCobDay, afterCalendarChange: redateOnCalendarChange(deps.log) }),
  });
};

export type StartPeOptions = StartOptions;

/** Migrates, connects, starts the relay and the HTTP server; `stop` undoes it in reverse. */
export const startPe = (config: PeConfig, opts: StartPeOptions = {}) => startService(peSpec(config), opts);
