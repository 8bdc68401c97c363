import { createBaseApp, type Logger } from "@loans/shared";
import type Koa from "koa";
import type { Kysely } from "kysely";
import type pg from "pg";
import type PgBoss from "pg-boss";
import type { PeConfig } from "./config.ts";
import type { PeDB } from "./db.ts";

export interface PeDeps {
  config: PeConfig;
  db: Kysely<PeDB>;
  pool: pg.Pool;
  boss: PgBoss;
  log: Logger;
}

export function createPeApp(deps: PeDeps): Koa {
  const app = createBaseApp({
    service: "pe",
    pool: deps.pool,
    log: deps.log,
    serviceSecret: deps.config.SERVICE_SECRET,
  });
  return app;
}
