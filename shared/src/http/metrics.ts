import Router from "@koa/router";
import type { Metrics } from "../metrics/index.ts";

/** `GET /metrics`: the Prometheus text format. Open like the health probes: keep it off the public edge. */
export function metricsRoutes(metrics: Metrics): Router {
  const router = new Router();
  router.get("/metrics", async (ctx) => {
    ctx.set("Content-Type", metrics.registry.contentType);
    ctx.body = await metrics.registry.metrics();
  });
  return router;
}
