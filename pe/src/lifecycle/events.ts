import type { DataOf, EventType } from "@loans/shared/events/catalog";
import { emitEvent } from "@loans/shared/events/emit";
import { sql, type Transaction } from "kysely";
import type { PeDB } from "../db.ts";

/**
 * The business date in effect, read inside the event's own INSERT (no round trip of its own): the manual
 * clock's latest move, else (the system clock keeps no history) today's UTC date. A PE switched from the
 * manual clock to the system one keeps its old moves and would stamp the last of them: the business date
 * only matters to tests and demonstrations on the manual clock.
 */
const businessDateNow = sql<string>`coalesce(
  (select date from business_date order by effective_at desc limit 1),
  (clock_timestamp() at time zone 'UTC')::date)`;

/** PE's events, each stamped with the business date in effect (EVENTS §1), in the caller's transaction. */
export async function emitPeEvent<E extends EventType<unknown>>(
  trx: Transaction<PeDB>,
  type: E,
  items: ReadonlyArray<{ subject: string; data: DataOf<E> }>,
  businessDate?: string,
): Promise<void> {
  await emitEvent(
    trx,
    type,
    items.map((i) => ({ ...i, businessDate: businessDate ?? businessDateNow })),
  );
}
