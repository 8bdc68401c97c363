import Router from "@koa/router";
import type pg from "pg";
import { ping } from "../db.ts";
import { AppError } from "./errors.ts";

/** `GET /health`: the process answers. `GET /ready`: and its database takes queries. */
export function healthRoutes(opts: { service: string; pool: pg.Pool }): Router {
  const router = new Router();
  router.get("/health", (ctx) => {
    ctx.body = { status: "ok", service: opts.service };
  });
  router.get("/ready", async (ctx) => {
    try {
      await ping(opts.pool);
    } catch (err) {
      throw new AppError("NOT_READY", "database unreachable", [{ message: (err as Error).message }]);
    }
    ctx.body = { status: "ready", service: opts.service };
  });
  return router;
}
