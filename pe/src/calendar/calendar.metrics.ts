import type { Metrics } from "@loans/shared";
import type { Kysely } from "kysely";
import { Gauge } from "prom-client";
import type { PeDB } from "../db.ts";
import type { BusinessClock } from "../lifecycle/business-date.ts";

/**
 * `pe_calendar_missing_years` (EXCEPTIONS §5), read at each scrape: 1 when the year after the business date's has
 * no stored calendar, so due dates in it move only off weekends; the CalendarMissing alert warns on it.
 */
export function calendarMetrics(metrics: Metrics, db: Kysely<PeDB>, clock: BusinessClock): void {
  new Gauge({
    name: "pe_calendar_missing_years",
    help: "1 when next year (of the business date) has no stored production calendar, else 0",
    registers: [metrics.registry],
    async collect() {
      try {
        const next = Number((await clock.today(db)).slice(0, 4)) + 1;
        const row = await db.selectFrom("calendar_years").select("year").where("year", "=", next).executeTakeFirst();
        this.set(row ? 0 : 1);
      } catch {
        metrics.scrapeErrors.inc({ source: "calendar" });
      }
    },
  });
}
