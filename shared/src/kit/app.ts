import type Router from "@koa/router";
import type Koa from "koa";
import type pg from "pg";
import type { PgBoss } from "pg-boss";
import type { CommonConfig } from "../config.ts";
import { createBaseApp } from "../http/app.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics/index.ts";
import { adminRoutes } from "./admin.routes.ts";
import { meRoutes } from "./me.routes.ts";

/**
 * A service's Koa app as every service has it: the base (request ids and log lines, errors, bodies,
 * service signatures, API keys, health, metrics) from the common settings, the operator's admin endpoints
 * (outbox, dead letters, queues: admin.routes.ts), then the service's routers.
 */
export function createServiceApp(
  deps: { name: string; config: CommonConfig; pool: pg.Pool; log: Logger; metrics?: Metrics; boss?: PgBoss },
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
  const admin = adminRoutes({
    service: deps.name,
    pool: deps.pool,
    boss: deps.boss,
    adminToken: deps.config.ADMIN_TOKEN,
  });
  app.use(meRoutes({ adminToken: deps.config.ADMIN_TOKEN }).routes());
  app.use(admin.routes()).use(admin.allowedMethods());
  for (const router of routers) app.use(router.routes()).use(router.allowedMethods());
  return app;
}
