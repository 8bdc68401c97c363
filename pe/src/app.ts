import { eventsOf } from "@loans/contracts/events/index";
import type { Logger, Metrics } from "@loans/shared";
import { approvalRoutes, createApprovals } from "@loans/shared/approvals";
import { docsRoutes } from "@loans/shared/http/docs";
import { createServiceApp } from "@loans/shared/kit/app";
import type { OperatorRegistry } from "@loans/shared/operators/registry";
import type Koa from "koa";
import type { Kysely } from "kysely";
import type pg from "pg";
import type { PgBoss } from "pg-boss";
import { agreementRoutes } from "./agreements/agreements.routes.ts";
import { disburseRoutes } from "./agreements/disburse.routes.ts";
import { termsRoutes } from "./agreements/terms.routes.ts";
import { withdrawRoutes } from "./agreements/withdraw.routes.ts";
import { businessDateRoutes } from "./business-date/business-date.routes.ts";
import { calendarMetrics } from "./calendar/calendar.metrics.ts";
import { calendarRoutes } from "./calendar/calendar.routes.ts";
import { type AfterCalendarChange, redateNothing } from "./calendar/calendar.service.ts";
import { clientRoutes } from "./clients/clients.routes.ts";
import type { PeConfig } from "./config.ts";
import type { PeDB } from "./db.ts";
import { decisionRoutes } from "./decisions/decisions.routes.ts";
import { payoutResultRoutes } from "./disbursement/payout-results.routes.ts";
import type { BusinessClock, RunCobDay } from "./lifecycle/business-date.ts";
import { servicingMetrics } from "./loans/loans.metrics.ts";
import { loanRoutes } from "./loans/loans.routes.ts";
import { openApiRoutes, peRouteDocs } from "./openapi.ts";
import { paymentRoutes } from "./payments/payments.routes.ts";
import { productRoutes } from "./products/products.routes.ts";

export interface PeDeps {
  config: PeConfig;
  db: Kysely<PeDB>;
  pool: pg.Pool;
  boss: PgBoss;
  log: Logger;
  metrics?: Metrics;
  /** The business date every business decision reads (LIFECYCLE §4.3). */
  clock: BusinessClock;
  /** The daily job, run by POST /admin/business-date for each day it crosses. */
  runCobDay: RunCobDay;
  /** The operator registry the kit's access guard checks tokens with. */
  registry?: OperatorRegistry;
  /** Called after a transaction that wrote outbox rows commits (the relay's `wake`); a no-op by default. */
  afterCommit?: () => void;
  /** Re-dates the loans ahead after PUT /admin/calendar/{year} commits (EXCEPTIONS §3.9); nothing by default. */
  afterCalendarChange?: AfterCalendarChange;
}

export function createPeApp(deps: PeDeps): Koa {
  // startService's hook: logs a failure instead of throwing it, so a committed agreement's 201 stays a 201.
  const afterCommit = deps.afterCommit ?? (() => {});
  if (deps.metrics) {
    servicingMetrics(deps.metrics, deps.db, deps.clock);
    calendarMetrics(deps.metrics, deps.db, deps.clock);
  }
  // Four-eyes (shared/src/approvals): product creation waits for a second admin.
  const approvals = createApprovals({ db: deps.db, settings: { ttlHours: deps.config.APPROVAL_TTL_HOURS } });
  const routers = [
    approvalRoutes({ approvals }),
    productRoutes({ db: deps.db, approvals }),
    agreementRoutes({ db: deps.db, clock: deps.clock, log: deps.log, metrics: deps.metrics, afterCommit }),
    termsRoutes({ db: deps.db, clock: deps.clock }),
    withdrawRoutes({ db: deps.db, clock: deps.clock, afterCommit }),
    disburseRoutes({ db: deps.db, clock: deps.clock, afterCommit }),
    payoutResultRoutes({ db: deps.db, clock: deps.clock, afterCommit, metrics: deps.metrics }),
    clientRoutes({ db: deps.db }),
    decisionRoutes({ db: deps.db, metrics: deps.metrics }),
    paymentRoutes({ db: deps.db, clock: deps.clock, afterCommit, metrics: deps.metrics }),
    loanRoutes({ db: deps.db, clock: deps.clock }),
    businessDateRoutes({
      db: deps.db,
      clock: deps.clock,
      runCobDay: deps.runCobDay,
      maxMoveDays: deps.config.BUSINESS_DATE_MAX_MOVE_DAYS,
    }),
    calendarRoutes({
      db: deps.db,
      clock: deps.clock,
      log: deps.log,
      afterCalendarChange: deps.afterCalendarChange ?? redateNothing,
    }),
    openApiRoutes(),
    docsRoutes({ title: "Product Engine", events: eventsOf("pe") }),
  ];
  return createServiceApp(
    { ...deps, name: "pe", title: "Product Engine", events: eventsOf("pe") },
    routers,
    peRouteDocs,
  );
}
