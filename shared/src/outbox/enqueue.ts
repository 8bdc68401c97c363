import { sql, type Transaction } from "kysely";
import { currentRequestId } from "../context.ts";
import { type Outgoing, outboxMessages, type Topic } from "./topic.ts";
import type { OutboxMessage } from "./types.ts";

/** The LISTEN/NOTIFY channel relays wake up on; one per database. */
export const OUTBOX_CHANNEL = "outbox";

/**
 * Adds messages to the outbox inside the caller's transaction: they exist if and only if it commits.
 * The notification is transactional too: PostgreSQL delivers it on commit, to every listening relay.
 *
 * Each message gets one delivery per destination its topic is routed to (`outbox_routes`, which the
 * relays declare as they start), in the same statement. A message of a topic with no route yet stays
 * pending without deliveries; a relay that routes the topic gives it its deliveries (routing.ts).
 *
 * The relay delivers an aggregate's messages to each destination in id order. Ids are taken at insert,
 * not at commit, so two transactions writing messages for one aggregate at once must be serialised by the
 * writer; updating the aggregate's own row first (as a status change does) takes the row lock that does it.
 */
export async function enqueue<DB, Sent>(
  trx: Transaction<DB>,
  topic: Topic<Sent, unknown, unknown>,
  messages: Outgoing<Sent> | readonly Outgoing<Sent>[],
): Promise<void> {
  await enqueueMessages(trx, outboxMessages(topic, Array.isArray(messages) ? messages : [messages as Outgoing<Sent>]));
}

/**
 * enqueue's rows as they are, of any topic: the outbox's own tests and tools. A service sends through
 * `enqueue` and its topic's contract.
 */
export async function enqueueMessages<DB>(
  trx: Transaction<DB>,
  messages: OutboxMessage | readonly OutboxMessage[],
): Promise<void> {
  const list: readonly OutboxMessage[] = Array.isArray(messages) ? messages : [messages as OutboxMessage];
  if (list.length === 0) return;
  const requestIds = list.map((m) => m.requestId ?? currentRequestId() ?? null);
  // One statement for the rows, their deliveries and the notification: a data-modifying CTE runs whether
  // or not the outer select reads it.
  await sql`
    with inserted as (
      insert into outbox (aggregate_id, topic, payload, request_id)
      select * from unnest(
        ${list.map((m) => m.aggregateId)}::text[],
        ${list.map((m) => m.topic)}::text[],
        ${list.map((m) => JSON.stringify(m.payload))}::jsonb[],
        ${requestIds}::text[])
      returning id, topic, aggregate_id),
    deliveries as (
      insert into outbox_deliveries (message_id, destination, topic, aggregate_id)
      select i.id, r.destination, i.topic, i.aggregate_id
      from inserted i join outbox_routes r on r.topic = i.topic)
    select pg_notify(${OUTBOX_CHANNEL}, '')`.execute(trx);
}
