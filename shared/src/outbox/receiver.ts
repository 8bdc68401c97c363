import type { Context } from "koa";
import type { Kysely, Transaction } from "kysely";
import { z } from "zod";
import { withRequestId } from "../context.ts";
import { AppError } from "../http/errors.ts";
import { parseInput } from "../http/validate.ts";
import type { Metrics } from "../metrics/index.ts";
import type { BatchResponse, ItemOutcome, WireMessage } from "./types.ts";

export interface TopicHandler<DB, P> {
  payload: z.ZodType<P>;
  /**
   * Applies one message and says what the sender should record. Must be idempotent: a repeat of a
   * message already applied answers as the first time did (by natural key and monotonic status).
   * Throwing an AppError refuses the item; any other error asks the sender to retry it.
   */
  handle(trx: Transaction<DB>, message: WireMessage<P>): Promise<ItemOutcome>;
}

const envelope = z.object({
  messages: z
    .array(
      z.object({
        id: z.string().min(1).max(64),
        topic: z.string().min(1).max(100),
        aggregateId: z.string().min(1).max(200),
        payload: z.unknown(),
        createdAt: z.string().max(64),
        requestId: z.string().max(128).optional(),
      }),
    )
    .min(1)
    .max(1000),
});

/**
 * A batch endpoint for messages from a peer's outbox. The batch runs in one transaction, each item in
 * its own savepoint: one refused or failing item is answered on its own and does not undo the others.
 * Handler errors that are not ours (a deadlock, a lost connection) become `retry` for that item. Each
 * item runs under the request id it was written under, so what it logs and enqueues carries that id on.
 */
export function batchEndpoint<DB>(
  db: Kysely<DB>,
  topics: Record<string, TopicHandler<DB, unknown>>,
  opts: { metrics?: Metrics } = {},
) {
  return async (ctx: Context) => {
    const { messages } = parseInput(envelope, ctx.request.body, "batch");
    const results: BatchResponse["results"] = [];
    const trx = await db.startTransaction().execute();
    try {
      const answers = new Map<WireMessage, ItemOutcome>();
      for (const [i, m] of byAggregate(messages as WireMessage[]).entries()) {
        const outcome = await withRequestId(m.requestId, () => handleOne(trx, topics, m, `item_${i}`));
        answers.set(m, outcome);
      }
      // Answered in the order sent, whatever order they were applied in.
      for (const m of messages as WireMessage[]) results.push({ id: m.id, ...answers.get(m)! });
      await trx.commit().execute();
      for (const [m, o] of answers) {
        opts.metrics?.received.inc({ topic: topics[m.topic] ? m.topic : "unknown", outcome: o.outcome });
      }
    } catch (err) {
      await trx
        .rollback()
        .execute()
        .catch(() => {});
      throw err;
    }
    ctx.body = { results } satisfies BatchResponse;
  };
}

async function handleOne<DB>(
  trx: Awaited<ReturnType<ReturnType<Kysely<DB>["startTransaction"]>["execute"]>>,
  topics: Record<string, TopicHandler<DB, unknown>>,
  m: WireMessage,
  savepoint: string,
): Promise<ItemOutcome> {
  const handler = topics[m.topic];
  if (!handler)
    return { outcome: "rejected", error: { code: "UNKNOWN_TOPIC", message: `no handler for topic ${m.topic}` } };
  const parsed = handler.payload.safeParse(m.payload);
  if (!parsed.success) {
    const message = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    return { outcome: "rejected", error: { code: "VALIDATION_FAILED", message } };
  }
  const sp = await trx.savepoint(savepoint).execute();
  try {
    const outcome = await handler.handle(sp as unknown as Transaction<DB>, { ...m, payload: parsed.data });
    await sp.releaseSavepoint(savepoint).execute();
    return outcome;
  } catch (err) {
    await sp.rollbackToSavepoint(savepoint).execute();
    if (err instanceof AppError) return { outcome: "rejected", error: { code: err.code, message: err.message } };
    return { outcome: "retry", error: { code: "RETRY", message: (err as Error).message ?? String(err) } };
  }
}

/**
 * Items are applied in aggregate-id order, the order the sender's relay applies answers in too (see
 * record.ts): two transactions that lock the same aggregates then queue behind each other instead of
 * deadlocking. A batch holds at most one message per aggregate, so no message overtakes another.
 */
export function byAggregate<T extends { aggregateId: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => (a.aggregateId < b.aggregateId ? -1 : a.aggregateId > b.aggregateId ? 1 : 0));
}
