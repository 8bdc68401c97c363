import type Router from "@koa/router";
import type Koa from "koa";
import type pg from "pg";
import type { CommonConfig } from "../config.ts";
import { createBaseApp } from "../http/app.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics/index.ts";

/**
 * A service's Koa app as every service has it: the base (request ids and log lines, errors, bodies,
 * service signatures, API keys, health, metrics) from the common settings, then the service's routers.
 */
export function createServiceApp(
  deps: { name: string; config: CommonConfig; pool: pg.Pool; log: Logger; metrics?: Metrics },
  routers: readonly Router[] = [],
): Koa {
  const app = createBaseApp({
    service: deps.name,
    pool: deps.pool,
    log: deps.log,
    serviceSecret: deps.config.SERVICE_SECRET,
    apiKeys: deps.config.API_KEYS,
    adminToken: deps.config.ADMIN_TOKEN,
    metrics: deps.metrics,
  });
  for (const router of routers) app.use(router.routes()).use(router.allowedMethods());
  return app;
}
