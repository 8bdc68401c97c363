import { createBaseApp, type Logger } from "@loans/shared";
import type Koa from "koa";
import type { Kysely } from "kysely";
import type pg from "pg";
import type PgBoss from "pg-boss";
import type { OriginationConfig } from "./config.ts";
import type { OriginationDB } from "./db.ts";

export interface OriginationDeps {
  config: OriginationConfig;
  db: Kysely<OriginationDB>;
  pool: pg.Pool;
  boss: PgBoss;
  log: Logger;
}

export function createOriginationApp(deps: OriginationDeps): Koa {
  const app = createBaseApp({
    service: "origination",
    pool: deps.pool,
    log: deps.log,
    serviceSecret: deps.config.SERVICE_SECRET,
  });
  return app;
}
