import { createBaseApp, type Logger, type Metrics } from "@loans/shared";
import { docsRoutes } from "@loans/shared/http/docs";
import type Koa from "koa";
import type { Kysely } from "kysely";
import type pg from "pg";
import type PgBoss from "pg-boss";
import { agreementRoutes } from "./agreements/agreements.routes.ts";
import { withdrawRoutes } from "./agreements/withdraw.routes.ts";
import { clientRoutes } from "./clients/clients.routes.ts";
import type { PeConfig } from "./config.ts";
import type { PeDB } from "./db.ts";
import { decisionRoutes } from "./decisions/decisions.routes.ts";
import { disbursementRoutes } from "./disbursement/disbursement.routes.ts";
import { openApiRoutes } from "./openapi.ts";
import { productRoutes } from "./products/products.routes.ts";

export interface PeDeps {
  config: PeConfig;
  db: Kysely<PeDB>;
  pool: pg.Pool;
  boss: PgBoss;
  log: Logger;
  metrics?: Metrics;
  /** Called after a transaction that wrote outbox rows commits (the relay's `wake`); a no-op by default. */
  afterCommit?: () => void;
}

export function createPeApp(deps: PeDeps): Koa {
  const app = createBaseApp({
    service: "pe",
    pool: deps.pool,
    log: deps.log,
    serviceSecret: deps.config.SERVICE_SECRET,
    apiKeys: deps.config.API_KEYS,
    adminToken: deps.config.ADMIN_TOKEN,
    metrics: deps.metrics,
  });
  // The agreement is committed by then: a failing wake must not turn its 201 into a 500 (and a retry
  // into a second application); the relay's timer picks the message up anyway.
  const afterCommit = () => {
    try {
      deps.afterCommit?.();
    } catch (err) {
      deps.log.warn("afterCommit failed", { err: String(err) });
    }
  };
  const routers = [
    productRoutes({ db: deps.db, adminToken: deps.config.ADMIN_TOKEN }),
    agreementRoutes({ db: deps.db, log: deps.log, afterCommit }),
    withdrawRoutes({ db: deps.db, afterCommit }),
    disbursementRoutes({ db: deps.db, afterCommit, metrics: deps.metrics }),
    clientRoutes({ db: deps.db }),
    decisionRoutes({ db: deps.db, metrics: deps.metrics }),
    openApiRoutes(),
    docsRoutes({ title: "Product Engine" }),
  ];
  for (const router of routers) app.use(router.routes()).use(router.allowedMethods());
  return app;
}
