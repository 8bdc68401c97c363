import type Router from "@koa/router";
import { migrate } from "@loans/db";
import { REGISTRY_DATABASE, type Service } from "@loans/db/services";
import type Koa from "koa";
import type { Kysely } from "kysely";
import type pg from "pg";
import type { PgBoss } from "pg-boss";
import { startBoss } from "../boss.ts";
import { type CommonConfig, operatorsDatabaseUrl } from "../config.ts";
import { createDatabase, ping } from "../db.ts";
import { eventsPurger } from "../events/retention.ts";
import { idempotencyPurger } from "../http/idempotency.ts";
import type { RouteDoc } from "../http/openapi.ts";
import { listen } from "../http/server.ts";
import { createLogger, type Logger } from "../log.ts";
import { createMetrics, type Metrics } from "../metrics/index.ts";
import { OperatorRegistry } from "../operators/registry.ts";
import type { Relay, RelayOptions, RelayTransport } from "../outbox/relay.ts";
import { serviceRelay } from "../outbox/service-relay.ts";
import { relayRoutesOf, type TopicRoute } from "../outbox/topic-routes.ts";
import { createServiceApp } from "./app.ts";

/** What a service's configuration must hold for the kit: the settings of its registry entry. */
export type ServiceConfig<E extends Service> = CommonConfig & {
  readonly [K in E["portVar"]]: number;
} & { readonly [K in E["hostVar"] | E["databaseVar"]]: string };

/** Something a service runs beside its HTTP server; `stop` must also undo a `start` that failed half-way. */
export interface Worker {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** What the kit hands a service's parts once its database, pg-boss and relay are up. */
export interface ServiceDeps<DB, C> {
  /** The service's name, from its registry entry. */
  name: string;
  config: C;
  db: Kysely<DB>;
  pool: pg.Pool;
  boss: PgBoss;
  log: Logger;
  metrics: Metrics;
  /**
   * The operator registry every service reads (shared/src/operators/): tokens checked in this process.
   * Undefined when its database does not exist (development only).
   */
  registry?: OperatorRegistry;
  /**
   * Called after a transaction that wrote outbox rows commits: wakes the relay. The data is committed by
   * then, so a failing hook is logged and never turns the caller's success into an error.
   */
  afterCommit: () => void;
}

/**
 * A service, described once: its registry entry (name, port, host and database variables, migrations),
 * its configuration, and its parts. `startService` does the rest, the same way for every service.
 */
export interface ServiceSpec<DB, C extends ServiceConfig<E>, E extends Service, W extends Record<string, Worker>> {
  service: E;
  config: C;
  /** The outbox topics it sends, each to a peer's endpoint (the peer's URL is in `config`). */
  relayRoutes?: (deps: ServiceDeps<DB, C>) => readonly TopicRoute<DB>[];
  /** Its own pg-boss queues, reported beside the relay's in `pgboss_queue_jobs`. */
  queues?: readonly string[];
  /** Started in order before the HTTP server listens, stopped in reverse after it closed. */
  workers?: (deps: ServiceDeps<DB, C>) => W;
  /** Its routers, mounted on the kit's base app (createServiceApp); or `app` for an app of its own. */
  routers?: (deps: ServiceDeps<DB, C> & { workers: W }) => Router[];
  /** The RouteDocs declaring its routers' routes (with `routers`; an `app` of its own builds its guard itself). */
  docs?: readonly RouteDoc[];
  app?: (deps: ServiceDeps<DB, C> & { workers: W }) => Koa;
}

export interface StartOptions {
  /** Over the relay settings from the environment (tests shorten timings). */
  relay?: Partial<RelayOptions>;
  /** Also called after each commit that wrote outbox rows, beside the relay's wake (tests count them). */
  afterCommit?: () => void;
  /** In place of the relay: the benchmarks' pg-boss baseline (bench/baseline/), never in production. */
  transport?: RelayTransport;
}

export interface RunningService<DB, W> {
  name: string;
  url: string;
  port: number;
  db: Kysely<DB>;
  relay: Relay;
  workers: W;
  log: Logger;
  /**
   * Stops the HTTP server (finishing the requests in flight), the workers, the relay, pg-boss, the pools.
   * With `drain` (a signal's stop) the server first serves on for `SHUTDOWN_DRAIN_MS` (server.ts).
   */
  stop(opts?: { drain?: boolean }): Promise<void>;
  /** How long a draining stop may take before the process shell gives up on it: the drain, the grace, the workers. */
  stopWithinMs: number;
}

/** After the drain, how long requests in flight may take before their sockets are cut. */
const HTTP_GRACE_MS = 5_000;

/**
 * What has started, undone last first. Every step is undone even when one fails; a graceful stop then
 * throws the first failure, an unwinding after a failed start only logs them (the start's error is thrown).
 */
function startedSteps(log: Logger) {
  const steps: Array<{ what: string; undo: (graceful: boolean) => Promise<void> }> = [];
  return {
    push: (what: string, undo: (graceful: boolean) => Promise<void>) => void steps.push({ what, undo }),
    async unwind(graceful: boolean) {
      let first: unknown;
      for (const step of steps.splice(0).reverse()) {
        try {
          await step.undo(graceful);
        } catch (err) {
          first ??= err;
          log.warn(graceful ? "could not stop" : "could not stop after a failed start", { what: step.what, err });
        }
      }
      if (graceful && first !== undefined) throw first;
    },
  };
}

/**
 * Opens the database, checks it answers, migrates it, starts pg-boss, the relay, the workers and the HTTP
 * server, in that order. When a step fails, whatever had started is stopped in reverse order and the
 * step's error is thrown: nothing is left running, no pool is left open.
 */
export async function startService<
  DB,
  C extends ServiceConfig<E>,
  E extends Service,
  W extends Record<string, Worker> = Record<never, Worker>,
>(spec: ServiceSpec<DB, C, E, W>, opts: StartOptions = {}): Promise<RunningService<DB, W>> {
  const { service, config } = spec;
  const log = createLogger(service.name, config.LOG_LEVEL);
  const connectionString = config[service.databaseVar as E["databaseVar"]] as string;
  const started = startedSteps(log);
  let drainMs = 0;
  try {
    const handle = createDatabase<DB>(connectionString);
    started.push("database", () => handle.close());
    await ping(handle.pool);
    const { applied } = await migrate(connectionString, service.database);
    if (applied.length > 0) log.info("migrated", { applied });
    const registry = await openRegistry(config, connectionString, log);
    if (registry) started.push("operator registry", () => registry.close());
    const boss = await startBoss(connectionString, log);
    started.push("pg-boss", (graceful) =>
      boss.stop(graceful ? { graceful: true, timeout: 5_000 } : { graceful: false }),
    );
    const { deps, relay } = wire(spec, { ...handle, boss, log, connectionString, registry }, opts);
    // Each part's stop is pushed before its start: a start that fails half-way is undone by its own stop.
    started.push("relay", () => relay.stop());
    await relay.start();
    const workers = spec.workers?.(deps) ?? ({} as W);
    // Every service database has the idempotency and events tables; their old rows are purged beside the
    // service's workers.
    const all: Array<[string, Worker]> = [
      ["idempotency purge", idempotencyPurger(handle.db, log)],
      ["events purge", eventsPurger(handle.db, config.EVENTS_RETENTION_DAYS, log)],
      ...Object.entries(workers),
    ];
    for (const [what, worker] of all) {
      started.push(what, () => worker.stop());
      await worker.start();
    }
    const app = spec.app
      ? spec.app({ ...deps, workers })
      : createServiceApp(deps, spec.routers?.({ ...deps, workers }) ?? [], spec.docs);
    const server = await listen(
      app,
      config[service.portVar as E["portVar"]] as number,
      config[service.hostVar as E["hostVar"]] as string,
      { requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS },
    );
    // Workers stop after the server: the requests of the drain may still enqueue work for them.
    started.push("http", () => server.close({ drainMs, graceMs: HTTP_GRACE_MS }));
    log.info("listening", { url: server.url });
    return {
      name: service.name,
      url: server.url,
      port: server.port,
      db: handle.db,
      relay,
      workers,
      log,
      stop: (o) => {
        drainMs = o?.drain ? config.SHUTDOWN_DRAIN_MS : 0;
        return started.unwind(true);
      },
      stopWithinMs: config.SHUTDOWN_DRAIN_MS + HTTP_GRACE_MS + 8_000,
    };
  } catch (err) {
    await started.unwind(false);
    throw err;
  }
}

/**
 * The dependencies the service's parts get, and its relay: wired, nothing started. `afterCommit` wakes
 * the relay (and the test's hook); the data is committed by then, so a failing hook is only logged.
 */
function wire<DB, C extends ServiceConfig<E>, E extends Service, W extends Record<string, Worker>>(
  spec: ServiceSpec<DB, C, E, W>,
  parts: {
    db: Kysely<DB>;
    pool: pg.Pool;
    boss: PgBoss;
    log: Logger;
    connectionString: string;
    registry: OperatorRegistry | undefined;
  },
  opts: StartOptions,
): { deps: ServiceDeps<DB, C>; relay: Relay } {
  const { service, config } = spec;
  const { db, pool, boss, log, registry } = parts;
  let relay: Relay | undefined;
  const afterCommit = () => {
    try {
      relay?.wake();
      opts.afterCommit?.();
    } catch (err) {
      log.warn("afterCommit failed", { err });
    }
  };
  const metrics = createMetrics(service.name);
  const deps: ServiceDeps<DB, C> = { name: service.name, config, db, pool, boss, log, metrics, afterCommit, registry };
  relay = serviceRelay<DB>({
    name: service.name,
    db,
    connectionString: parts.connectionString,
    boss,
    routes: relayRoutesOf(spec.relayRoutes?.(deps) ?? []),
    config,
    log,
    metrics,
    queues: spec.queues,
    overrides: opts.relay,
    ...(opts.transport && { transport: opts.transport }),
  });
  return { deps, relay };
}

/**
 * The operator registry, migrated (every service migrates it, under the migrator's lock, as it does its
 * own database). Outside production a registry database that does not exist is only a warning: the
 * service then knows ADMIN_TOKEN and the API keys alone (an operator token is a 401, /admin/operators a 404).
 */
async function openRegistry(config: CommonConfig, ownUrl: string, log: Logger): Promise<OperatorRegistry | undefined> {
  const url = operatorsDatabaseUrl(config, ownUrl);
  try {
    const { applied } = await migrate(url, REGISTRY_DATABASE);
    if (applied.length > 0) log.info("migrated the operator registry", { applied });
  } catch (err) {
    if ((err as { code?: string }).code !== "3D000" || config.NODE_ENV === "production") throw err;
    log.warn("no operator registry database: operator tokens are refused, ADMIN_TOKEN and API keys work", {
      database: new URL(url).pathname.slice(1),
    });
    return undefined;
  }
  return OperatorRegistry.open(url, { cacheMs: config.OPERATOR_TOKEN_CACHE_MS });
}

/** Names a service's spec with its types inferred: the database from its app's dependencies, say. */
export const defineService = <
  DB,
  C extends ServiceConfig<E>,
  E extends Service,
  W extends Record<string, Worker> = Record<never, Worker>,
>(
  spec: ServiceSpec<DB, C, E, W>,
) => spec;
