import { sql, type Transaction } from "kysely";
import { currentRequestId } from "../context.ts";
import { bossTransportTarget, sendOutboxJobs } from "./boss-transport.ts";
import type { OutboxMessage } from "./types.ts";

/** The LISTEN/NOTIFY channel relays wake up on; one per database. */
export const OUTBOX_CHANNEL = "outbox";

/**
 * Adds messages to the outbox inside the caller's transaction: they exist if and only if it commits.
 * The notification is transactional too: PostgreSQL delivers it on commit, to every listening relay.
 *
 * The relay delivers an aggregate's messages in id order. Ids are taken at insert, not at commit, so two
 * transactions writing messages for one aggregate at once must be serialised by the writer; updating the
 * aggregate's own row first (as a status change does) takes the row lock that does it.
 */
export async function enqueue<DB>(trx: Transaction<DB>, messages: OutboxMessage | OutboxMessage[]): Promise<void> {
  const list = Array.isArray(messages) ? messages : [messages];
  if (list.length === 0) return;
  const requestIds = list.map((m) => m.requestId ?? currentRequestId() ?? null);
  const boss = bossTransportTarget();
  if (boss) {
    // The benchmarks' pg-boss baseline (boss-transport.ts): the row, and a job for it in this transaction.
    const { rows } = await sql<{
      id: string;
      topic: string;
      aggregate_id: string;
      payload_json: string;
      created_at: Date;
      request_id: string | null;
    }>`
      insert into outbox (aggregate_id, topic, payload, request_id)
      select * from unnest(
        ${list.map((m) => m.aggregateId)}::text[],
        ${list.map((m) => m.topic)}::text[],
        ${list.map((m) => JSON.stringify(m.payload))}::jsonb[],
        ${requestIds}::text[])
      returning id::text as id, topic, aggregate_id, payload::text as payload_json, created_at, request_id`.execute(
      trx,
    );
    const jobs = rows.map((r) => ({
      id: r.id,
      topic: r.topic,
      aggregateId: r.aggregate_id,
      payloadJson: r.payload_json,
      createdAt: r.created_at.toISOString(),
      requestId: r.request_id,
    }));
    return sendOutboxJobs(trx, boss, jobs);
  }
  // One statement for the rows and the notification: a data-modifying CTE runs whether or not the
  // outer select reads it.
  await sql`
    with inserted as (
      insert into outbox (aggregate_id, topic, payload, request_id)
      select * from unnest(
        ${list.map((m) => m.aggregateId)}::text[],
        ${list.map((m) => m.topic)}::text[],
        ${list.map((m) => JSON.stringify(m.payload))}::jsonb[],
        ${requestIds}::text[]))
    select pg_notify(${OUTBOX_CHANNEL}, '')`.execute(trx);
}
