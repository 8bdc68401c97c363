import Router from "@koa/router";
import type Koa from "koa";
import type pg from "pg";
import { ping } from "../db.ts";
import type { Logger } from "../log.ts";
import { AppError } from "./errors.ts";

/** Apps whose server is shutting down (server.ts marks them): keyed by app, as a process may run several. */
const draining = new WeakSet<Koa>();

/** From now on the app's `/ready` answers 503: a balancer stops sending before the server stops accepting. */
export function markDraining(app: Koa): void {
  draining.add(app);
}

/**
 * `GET /health`: the process answers. `GET /ready`: and it is not shutting down, and its database takes
 * queries. Both are open to anyone, so a failed check answers a fixed reason; what the database said goes
 * to the log only.
 */
export function healthRoutes(opts: { service: string; pool: pg.Pool; log?: Logger }): Router {
  const router = new Router();
  router.get("/health", (ctx) => {
    ctx.body = { status: "ok", service: opts.service };
  });
  router.get("/ready", async (ctx) => {
    if (draining.has(ctx.app)) throw new AppError("NOT_READY", "shutting down");
    try {
      await ping(opts.pool);
    } catch (err) {
      opts.log?.warn("readiness check failed: database unreachable", { err });
      throw new AppError("NOT_READY", "database unreachable");
    }
    ctx.body = { status: "ready", service: opts.service };
  });
  return router;
}
