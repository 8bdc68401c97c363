import type { ColumnType } from "kysely";

/** What a service puts into its outbox, inside the transaction that makes the change it announces. */
export interface OutboxMessage {
  topic: string;
  /** Messages of one aggregate are delivered in order, one at a time. */
  aggregateId: string;
  payload: Record<string, unknown>;
  /** The request it was written under; by default the current one (context.ts). */
  requestId?: string;
}

/** The `outbox` table as every service has it (db/outbox/). */
export interface OutboxTable {
  id: ColumnType<string, never, never>;
  aggregate_id: string;
  topic: string;
  payload: ColumnType<unknown, string, string>;
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: ColumnType<Date, Date | string | undefined, Date | string>;
  last_error: string | null;
  delivered_at: Date | null;
  dead_at: Date | null;
  request_id: string | null;
}

export interface OutboxDB {
  outbox: OutboxTable;
}

/** One message on the wire, as the relay posts it and the receiving endpoint reads it. */
export interface WireMessage<P = unknown> {
  /** The sender's outbox row id: the same on every retry of the message. */
  id: string;
  topic: string;
  aggregateId: string;
  payload: P;
  createdAt: string;
  /** The request the message was written under, when there was one: the receiver logs under it. */
  requestId?: string;
}

export interface ItemError {
  code: string;
  message: string;
}

/**
 * The receiver's answer for one message:
 * - `ok`: applied now or before; `result` is handed to the sender's `onAnswer` in the transaction that
 *   marks the row delivered;
 * - `rejected`: refused for good (a contradiction, an invalid payload); the sender retries it with
 *   backoff until it goes dead, while other aggregates flow;
 * - `retry`: a passing failure on the receiver (a deadlock, say); the sender tries again.
 */
export type ItemOutcome<R = unknown> =
  | { outcome: "ok"; result?: R }
  | { outcome: "rejected"; error: ItemError }
  | { outcome: "retry"; error: ItemError };

export interface BatchRequest {
  messages: WireMessage[];
}

export interface BatchResponse {
  results: Array<{ id: string } & ItemOutcome>;
}
