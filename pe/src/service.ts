import { serviceEntry } from "@loans/db/services";
import { defineService, type StartOptions, startService } from "@loans/shared/kit/start-service";
import { WITHDRAWN_TOPIC } from "./agreements/withdraw.service.ts";
import { createPeApp } from "./app.ts";
import type { PeConfig } from "./config.ts";
import { applyApplicationAnswer } from "./decisions/decisions.service.ts";

/** PE as the service kit runs it: its registry entry, its routes, and what its outbox sends where. */
export const peSpec = (config: PeConfig) =>
  defineService({
    service: serviceEntry("pe"),
    config,
    relayRoutes: () => ({
      "agreement.created": { url: `${config.ORIGINATION_URL}/internal/applications`, onAnswer: applyApplicationAnswer },
      // Origination's answer is its application's status, always WITHDRAWN: nothing to apply here.
      [WITHDRAWN_TOPIC]: { url: `${config.ORIGINATION_URL}/internal/withdrawals` },
    }),
    app: createPeApp,
  });

export type StartPeOptions = StartOptions;

/** Migrates, connects, starts the relay and the HTTP server; `stop` undoes it in reverse. */
export const startPe = (config: PeConfig, opts: StartPeOptions = {}) => startService(peSpec(config), opts);
