import type Router from "@koa/router";
import type Koa from "koa";
import type pg from "pg";
import type { PgBoss } from "pg-boss";
import { auditDocs, auditRoutes } from "../audit/routes.ts";
import type { CommonConfig } from "../config.ts";
import type { AnyEventType } from "../events/catalog.ts";
import { eventRouteDocs, eventRoutes } from "../events/routes.ts";
import { createBaseApp } from "../http/app.ts";
import type { RouteDoc } from "../http/openapi.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics/index.ts";
import { accessGuard, undeclaredRoutes } from "../operators/guard.ts";
import { operatorRouteDocs, operatorRoutes } from "../operators/operators.routes.ts";
import type { OperatorRegistry } from "../operators/registry.ts";
import { adminRouteDocs, adminRoutes } from "./admin.routes.ts";
import { meDocs, meRoutes } from "./me.routes.ts";

/** The kit's own documented endpoints, which every service's OpenAPI document lists beside its own. */
export const kitRouteDocs: readonly RouteDoc[] = [
  ...adminRouteDocs,
  ...operatorRouteDocs,
  ...auditDocs,
  ...meDocs,
  ...eventRouteDocs,
];

export interface ServiceAppDeps {
  name: string;
  config: CommonConfig;
  pool: pg.Pool;
  log: Logger;
  metrics?: Metrics;
  boss?: PgBoss;
  /** The operator registry; without it only ADMIN_TOKEN and the API keys are recognised. */
  registry?: OperatorRegistry;
  /** The service's business event types (the contracts' catalog): GET /events filters by them, /asyncapi.json lists them. */
  events?: readonly AnyEventType[];
  /** The service's title in the documents: "Product Engine". */
  title?: string;
}

/**
 * A service's Koa app as every service has it: the base (request ids and log lines, errors, bodies,
 * service signatures, health, metrics) from the common settings, the access guard built from every
 * route's declaration (`docs`, the service's RouteDocs; the kit adds its own), the operator's admin
 * endpoints (admin.routes.ts, operators.routes.ts), then the service's routers. A route on a router that
 * no RouteDoc declares is refused at construction: no endpoint exists without a declared access.
 */
export function createServiceApp(
  deps: ServiceAppDeps,
  routers: readonly Router[] = [],
  docs: readonly RouteDoc[] = [],
): Koa {
  const admin = adminRoutes({ service: deps.name, pool: deps.pool, boss: deps.boss });
  const operators = operatorRoutes({ registry: deps.registry });
  const me = meRoutes({ adminToken: deps.config.ADMIN_TOKEN });
  const events = eventRoutes({
    service: deps.name,
    title: deps.title ?? deps.name,
    pool: deps.pool,
    events: deps.events ?? [],
  });
  const all = [admin, operators, auditRoutes({ pool: deps.pool }), me, events, ...routers];
  const declared = [...kitRouteDocs, ...docs];
  const missing = undeclaredRoutes(all, declared);
  if (missing.length > 0) throw new Error(`${deps.name}: routes without a declared access: ${missing.join(", ")}`);
  const app = createBaseApp({
    service: deps.name,
    pool: deps.pool,
    log: deps.log,
    serviceSecret: deps.config.SERVICE_SECRET,
    access: accessGuard({
      routers: all,
      docs: declared,
      apiKeys: deps.config.API_KEYS,
      adminToken: deps.config.ADMIN_TOKEN,
      registry: deps.registry,
      log: deps.log,
    }),
    metrics: deps.metrics,
  });
  for (const router of all) app.use(router.routes()).use(router.allowedMethods());
  return app;
}
