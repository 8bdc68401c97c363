import Koa from "koa";
import type pg from "pg";
import { auditTrail } from "../audit/trail.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics/index.ts";
import { apiKeys } from "./api-keys.ts";
import { parseJson, rawBody } from "./body.ts";
import { errorMiddleware } from "./errors.ts";
import { healthRoutes } from "./health.ts";
import { metricsRoutes } from "./metrics.ts";
import { observeRequests } from "./observe.ts";
import { isInternalPath, serviceAuth } from "./service-auth.ts";
import { refuseNul } from "./text-guard.ts";

export interface BaseAppOptions {
  service: string;
  pool: pg.Pool;
  log: Logger;
  /** Signs and verifies service-to-service calls under /internal/. */
  serviceSecret: string;
  /** Keys for the public API; empty leaves it open (development). */
  apiKeys?: readonly string[];
  adminToken?: string;
  /** In place of the API-key check: the kit's access guard, built from the routes' declarations. */
  access?: Koa.Middleware;
  /** Largest public request body; service batches under /internal/ may be larger. */
  bodyLimit?: number;
  internalBodyLimit?: number;
  /** Request durations, and `GET /metrics` for Prometheus. */
  metrics?: Metrics;
}

/**
 * A Koa app with what every service needs first: the request id, log line and metrics of each request,
 * the error renderer, the body read under a limit,
 * signed service calls checked before their body is parsed, health and readiness.
 */
export function createBaseApp(opts: BaseAppOptions): Koa {
  const app = new Koa();
  // Errors are rendered by errorMiddleware; koa's own default handler would log them a second time.
  app.silent = true;
  app.use(observeRequests({ log: opts.log, metrics: opts.metrics }));
  // Outside the error renderer: it sees every answer's final status and code (audit/trail.ts).
  app.use(auditTrail({ pool: opts.pool, log: opts.log }));
  app.use(errorMiddleware((err, ctx) => opts.log.error("request failed", { method: ctx.method, path: ctx.path, err })));
  const publicBody = rawBody({ limit: opts.bodyLimit ?? 64 * 1024 });
  const internalBody = rawBody({ limit: opts.internalBodyLimit ?? 8 * 1024 * 1024 });
  app.use((ctx, next) => (isInternalPath(ctx.path) ? internalBody(ctx, next) : publicBody(ctx, next)));
  app.use(serviceAuth(opts.serviceSecret));
  app.use(opts.access ?? apiKeys(opts.apiKeys ?? [], opts.adminToken));
  app.use(parseJson({ maxDepth: 16 }));
  app.use(refuseNul());
  app.use(healthRoutes({ service: opts.service, pool: opts.pool, log: opts.log }).routes());
  if (opts.metrics) app.use(metricsRoutes(opts.metrics).routes());
  return app;
}
