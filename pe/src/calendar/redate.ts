import type { Logger } from "@loans/shared";
import type { Kysely } from "kysely";
import type { PeDB } from "../db.ts";
import type { BusinessClock } from "../lifecycle/business-date.ts";
import { type Redated, redateLoans } from "../servicing-store/redate.ts";

/**
 * The re-dating a calendar PUT runs once it has committed (EXCEPTIONS §3.9), on the business date now.
 * The work is servicing-store's redateLoans, which the daily job runs too; a run cut short is resumed there.
 */
export async function redateAfterCalendarChange(
  db: Kysely<PeDB>,
  clock: BusinessClock,
  log?: Logger,
  opts: { limit?: number } = {},
): Promise<Redated> {
  return redateLoans(db, await clock.today(db), { log, ...opts });
}
