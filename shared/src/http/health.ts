import Router from "@koa/router";
import type pg from "pg";
import { ping } from "../db.ts";
import type { Logger } from "../log.ts";
import { AppError } from "./errors.ts";

/**
 * `GET /health`: the process answers. `GET /ready`: and its database takes queries. Both are open to
 * anyone, so a failed check answers a fixed reason; what the database said goes to the log only.
 */
export function healthRoutes(opts: { service: string; pool: pg.Pool; log?: Logger }): Router {
  const router = new Router();
  router.get("/health", (ctx) => {
    ctx.body = { status: "ok", service: opts.service };
  });
  router.get("/ready", async (ctx) => {
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
