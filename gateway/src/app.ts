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
import { agreementEventDocs, agreementEventRoutes } from "./agreement-events/agreement-events.ts";
import type { GatewayConfig } from "./config.ts";
import type { GatewayDB } from "./db.ts";
import { paymentRouteDocs } from "./payments/payments.docs.ts";
import { paymentRoutes } from "./payments/payments.routes.ts";
import { payoutRouteDocs, payoutRoutes } from "./payouts/payouts.routes.ts";

export interface GatewayDeps {
  config: GatewayConfig;
  db: Kysely<GatewayDB>;
  pool: pg.Pool;
  boss: PgBoss;
  log: Logger;
  metrics?: Metrics;
  /** The operator registry the kit's access guard checks tokens with. */
  registry?: OperatorRegistry;
  /** Sends new payouts to the bank now rather than at the worker's next poll. */
  wakeBank?: () => void;
  /** The same for new payments. */
  wakePaymentBank?: () => void;
}

export function createGatewayApp(deps: GatewayDeps): Koa {
  const routeDocs = [...paymentRouteDocs, ...payoutRouteDocs, ...agreementEventDocs];
  const openApi = openApiDocument(
    {
      title: "Payment Gateway",
      version: "1.0.0",
      server: "http://127.0.0.1:3003",
      description:
        "Moves money through the bank. A payout goes PENDING → IN_TRANSIT → PAID | FAILED (or PENDING → PAID | " +
        "FAILED); a client's payment goes PROCESSING → SUCCEEDED | FAILED. An unknown bank outcome never makes " +
        "either FAILED: it waits and is asked again with the same id.",
    },
    [...routeDocs, ...kitRouteDocs],
  );
  const docs = new Router().get("/openapi.json", (ctx) => {
    ctx.body = openApi;
  });
  const routers = [
    payoutRoutes({ db: deps.db, boss: deps.boss, wakeBank: deps.wakeBank ?? (() => {}), metrics: deps.metrics }),
    paymentRoutes({ db: deps.db, boss: deps.boss, wakeBank: deps.wakePaymentBank ?? (() => {}) }),
    agreementEventRoutes({ db: deps.db, metrics: deps.metrics }),
    docs,
    docsRoutes({ title: "Payment Gateway", events: eventsOf("gateway") }),
  ];
  return createServiceApp(
    { ...deps, name: "gateway", title: "Payment Gateway", events: eventsOf("gateway") },
    routers,
    routeDocs,
  );
}
