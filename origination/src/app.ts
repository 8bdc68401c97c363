import Router from "@koa/router";
import { eventsOf } from "@loans/contracts/events/index";
import type { Logger, Metrics } from "@loans/shared";
import { docsRoutes } from "@loans/shared/http/docs";
import { openApiDocument } from "@loans/shared/http/openapi";
import { createServiceApp, kitRouteDocs } from "@loans/shared/kit/app";
import type { OperatorRegistry } from "@loans/shared/operators/registry";
import type Koa from "koa";
import type { Kysely } from "kysely";
import type pg from "pg";
import type { PgBoss } from "pg-boss";
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
  /** The operator registry the kit's access guard checks tokens with. */
  registry?: OperatorRegistry;
  /** Scores new applications now rather than at the worker's next poll; called after an intake commits. */
  wakeScoring?: () => void;
  /**
   * Called after a request's transaction that wrote outbox rows commits (the relay's `wake`); a no-op by
   * default. No route writes one yet: decisions come from the scoring worker, which gets the same callback.
   */
  afterCommit?: () => void;
}

export function createOriginationApp(deps: OriginationDeps): Koa {
  const routes = applicationRoutes({
    db: deps.db,
    wakeScoring: deps.wakeScoring ?? (() => {}),
    metrics: deps.metrics,
  });
  const withdrawals = withdrawalRoutes({ db: deps.db, metrics: deps.metrics });
  const loanEvents = agreementEventRoutes({ db: deps.db, metrics: deps.metrics });
  const routeDocs = [...applicationRouteDocs, ...withdrawalRouteDocs, ...agreementEventRouteDocs];
  const openApi = openApiDocument(
    {
      title: "Origination",
      version: "1.0.0",
      server: "http://127.0.0.1:3002",
      description:
        "Applications for loans and the decisions on them. An application goes IN_PROGRESS → APPROVED | REJECTED; " +
        "APPROVED becomes PAYMENT_PENDING once PE has the decision; WITHDRAWN (final) from any of them when PE's " +
        "withdrawal arrives; then ACTIVE → CLOSED, or DISBURSEMENT_FAILED, as PE reports the loan.",
    },
    [...routeDocs, ...kitRouteDocs],
  );
  const docs = new Router().get("/openapi.json", (ctx) => {
    ctx.body = openApi;
  });
  return createServiceApp(
    { ...deps, name: "origination", title: "Origination", events: eventsOf("origination") },
    [routes, withdrawals, loanEvents, docs, docsRoutes({ title: "Origination", events: eventsOf("origination") })],
    routeDocs,
  );
}
