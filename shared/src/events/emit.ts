import { type RawBuilder, sql, type Transaction } from "kysely";
import { type DataOf, dataschemaOf, type EventType } from "./catalog.ts";

/** One event to write: its subject (an agreement id, say), its data and, for PE's events, the business date. */
export interface OutgoingEvent<Data> {
  subject: string;
  data: Data;
  /** A date, or an SQL expression giving it in the same INSERT (PE's business date in effect). */
  businessDate?: string | RawBuilder<string>;
}

/**
 * Writes business events inside the caller's transaction (EVENTS E1): they exist if and only if it
 * commits. One INSERT, whatever the number; the position, the writer's xid, the id and the time are the
 * table's defaults (db/kit/0004_events.sql). The data is parsed by the type's schema first and what the
 * schema does not know is dropped, so a field the catalog does not list (a phone, say) never leaves.
 *
 * This is the seam for the other channels (webhooks, NATS): they read the committed rows through the
 * feed's query (feed.ts `readFeed`), so nothing here needs to change for them.
 */
export async function emitEvent<DB, E extends EventType<unknown>>(
  trx: Transaction<DB>,
  type: E,
  events: OutgoingEvent<DataOf<E>> | readonly OutgoingEvent<DataOf<E>>[],
): Promise<void> {
  const list: readonly OutgoingEvent<DataOf<E>>[] = Array.isArray(events)
    ? events
    : [events as OutgoingEvent<DataOf<E>>];
  if (list.length === 0) return;
  const data = list.map((e) => JSON.stringify(type.data.parse(e.data)));
  const subjects = list.map((e) => e.subject);
  const date = list[0]!.businessDate;
  // Every event of one call has the same business date (one change, one moment).
  const businessDate = date === undefined ? sql`null::date` : typeof date === "string" ? sql`${date}::date` : date;
  await sql`
    insert into events (source, type, subject, dataschema, businessdate, data)
    select ${type.source}, ${type.type}, s.subject, ${dataschemaOf(type)}, ${businessDate}, s.data
    from unnest(${subjects}::text[], ${data}::jsonb[]) with ordinality as s(subject, data, n)
    order by s.n`.execute(trx);
}
