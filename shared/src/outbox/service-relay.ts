import type { Kysely } from "kysely";
import type { PgBoss } from "pg-boss";
import type { z } from "zod";
import { type commonEnv, relaySettings } from "../config.ts";
import type { Logger } from "../log.ts";
import { watchOutbox, watchQueues } from "../metrics/collectors.ts";
import type { Metrics } from "../metrics/index.ts";
import { relayQueues } from "./maintenance.ts";
import {
  createRelay,
  type Relay,
  type RelayOptions,
  type RelayRoutes,
  type RelayTransport,
  routeTable,
} from "./relay.ts";

export interface ServiceRelayDeps<DB> {
  name: string;
  db: Kysely<DB>;
  connectionString: string;
  boss: PgBoss;
  routes: RelayRoutes<DB>;
  config: z.output<typeof commonEnv>;
  log: Logger;
  metrics: Metrics;
  /** The service's own pg-boss queues, reported beside the relay's in `pgboss_queue_jobs`. */
  queues?: readonly string[];
  /** Over the settings from the environment (tests shorten timings). */
  overrides?: Partial<RelayOptions>;
  /** In place of the relay: the benchmarks' baseline (bench/), never in production. */
  transport?: RelayTransport;
}

/**
 * A service's relay, wired as each service runs it: settings and secret from the environment,
 * its delivery metrics on the service's registry, and its outbox and the pg-boss queues read at each scrape.
 */
export function serviceRelay<DB>(deps: ServiceRelayDeps<DB>): Relay {
  const { name, db, boss, routes, config, metrics } = deps;
  watchOutbox(metrics, db, routeTable(routes).topics);
  watchQueues(metrics, boss, [...(deps.queues ?? []), ...Object.values(relayQueues(name))]);
  return createRelay<DB>({
    name,
    db,
    connectionString: deps.connectionString,
    boss,
    routes,
    secret: config.SERVICE_SECRET,
    log: deps.log,
    metrics: metrics.outbox,
    options: { ...relaySettings(config), ...deps.overrides },
    transport: deps.transport,
  });
}
