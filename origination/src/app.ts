import Router from "@koa/router";
import { createBaseApp, type Logger, type Metrics } from "@loans/shared";
import { docsRoutes } from "@loans/shared/http/docs";
import { openApiDocument } from "@loans/shared/http/openapi";
import type Koa from "koa";
import type { Kysely } from "kysely";
import type pg from "pg";
import type PgBoss from "pg-boss";
import { agreementEventRouteDocs, agreementEventRoutes } from "./agreement-events/agreement-events.routes.ts";
import { applicationRouteDocs } from "./applications/applications.openapi.ts";
import { applicationRoutes } from "./applications/applications.routes.ts";
import type { OriginationConfig } from "./config.ts";
import type { OriginationDB } from "./db.ts";
import { withdrawalRouteDocs, withdrawalRoutes } from "./withdrawals/withdrawals.routes.ts";

export interface OriginationDeps {
  config: OriginationConfig;
  db: Kysely<OriginationDB>;
  pool: pg.Pool;
  boss: PgBoss;
  log: Logger;
  metrics?: Metrics;
  /** Scores new applications now rather than at the worker's next poll; called after an intake commits. */
  wakeScoring?: () => void;
  /**
   * Called after a request's transaction that wrote outbox rows commits (the relay's `wake`); a no-op by
   * default. No route writes one yet: decisions come from the scoring worker, which gets the same callback.
   */
  afterCommit?: () => void;
}

export function createOriginationApp(deps: OriginationDeps): Koa {
  const app = createBaseApp({
    service: "origination",
    pool: deps.pool,
    log: deps.log,
    serviceSecret: deps.config.SERVICE_SECRET,
    apiKeys: deps.config.API_KEYS,
    adminToken: deps.config.ADMIN_TOKEN,
    metrics: deps.metrics,
  });
  const routes = applicationRoutes({
    db: deps.db,
    boss: deps.boss,
    wakeScoring: deps.wakeScoring ?? (() => {}),
    metrics: deps.metrics,
  });
  const withdrawals = withdrawalRoutes({ db: deps.db, metrics: deps.metrics });
  const loanEvents = agreementEventRoutes({ db: deps.db, metrics: deps.metrics });
  const openApi = openApiDocument(
    {
      title: "Origination",
      version: "1",
      description:
        "Applications for loans and the decisions on them. An application goes IN_PROGRESS → APPROVED | REJECTED; " +
        "APPROVED becomes PAYMENT_PENDING once PE has the decision; WITHDRAWN (final) from any of them when PE's " +
        "withdrawal arrives; then ACTIVE → CLOSED, or DISBURSEMENT_FAILED, as PE reports the loan.",
    },
    [...applicationRouteDocs, ...withdrawalRouteDocs, ...agreementEventRouteDocs],
  );
  const docs = new Router().get("/openapi.json", (ctx) => {
    ctx.body = openApi;
  });
  app.use(routes.routes()).use(routes.allowedMethods());
  app.use(withdrawals.routes()).use(withdrawals.allowedMethods());
  app.use(loanEvents.routes()).use(loanEvents.allowedMethods());
  app.use(docs.routes());
  app.use(docsRoutes({ title: "Origination" }).routes());
  return app;
}
