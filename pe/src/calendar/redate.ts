import type { Logger } from "@loans/shared";
import type { Kysely } from "kysely";
import type { PeDB } from "../db.ts";
import type { BusinessClock } from "../lifecycle/business-date.ts";
import { type Redated, redateLoans } from "../servicing-store/redate.ts";
import type { AfterCalendarChange } from "./calendar.service.ts";

/**
 * The re-dating of the loans ahead after a calendar change (EXCEPTIONS §3.9), on the business date now.
 * The work is servicing-store's redateLoans, which the daily job runs too: a run cut short (`limit`, a
 * crash) is finished by the next one.
 */
export async function redateAfterCalendarChange(
  db: Kysely<PeDB>,
  clock: BusinessClock,
  log?: Logger,
  opts: { limit?: number } = {},
): Promise<Redated> {
  return redateLoans(db, await clock.today(db), { log, ...opts });
}

/** The hook PUT /admin/calendar/{year} runs once it has committed: re-dating on the PUT's business date. */
export const redateOnCalendarChange =
  (log?: Logger): AfterCalendarChange =>
  (db, change) =>
    redateLoans(db, change.on, { log });
