import type { Middleware } from "koa";
import { REQUEST_ID_HEADER, requestIdFrom, withRequestId } from "../context.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics/index.ts";

const PROBES = new Set(["/health", "/ready", "/metrics"]);

/**
 * The outermost middleware: gives the request its id (the caller's `X-Request-Id` when acceptable, else
 * a new one), answers with it, runs the rest under it, then records the request's duration by route
 * template (never the raw path: ids and junk paths would make a series each) and writes one log line.
 */
export function observeRequests(opts: { log: Logger; metrics?: Metrics }): Middleware {
  return (ctx, next) => {
    const requestId = requestIdFrom(ctx.get(REQUEST_ID_HEADER) || undefined);
    ctx.set("X-Request-Id", requestId);
    return withRequestId(requestId, async () => {
      const started = performance.now();
      try {
        await next();
      } finally {
        const seconds = (performance.now() - started) / 1000;
        const route = (ctx as { _matchedRoute?: string | RegExp })._matchedRoute;
        const labels = { method: ctx.method, route: route ? String(route) : "unmatched", status: String(ctx.status) };
        opts.metrics?.httpDuration.observe(labels, seconds);
        const line = { ...labels, path: ctx.path, ms: Math.round(seconds * 1000) };
        if (PROBES.has(ctx.path)) opts.log.debug("request", line);
        else opts.log.info("request", line);
      }
    });
  };
}
