import type { Context } from "koa";
import type { Kysely, Transaction } from "kysely";
import { z } from "zod";
import { withRequestId } from "../context.ts";
import { AppError } from "../http/errors.ts";
import { parseInput } from "../http/validate.ts";
import type { Metrics } from "../metrics/index.ts";
import type { Topic } from "./topic.ts";
import type { BatchResponse, ItemOutcome, WireMessage } from "./types.ts";

export interface TopicHandler<DB, P> {
  /** What it receives: the topic's contract, whose lenient parser reads each message's payload. */
  topic: Topic<unknown, P, unknown>;
  /**
   * Applies one message and says what the sender should record. Must be idempotent: a repeat of a
   * message already applied answers as the first time did (by natural key and monotonic status).
   * Throwing an AppError refuses the item; any other error asks the sender to retry it.
   */
  handle(trx: Transaction<DB>, message: WireMessage<P>): Promise<ItemOutcome>;
  /**
   * The same for all of a batch's messages of this topic at once, in aggregate-id order, answering one
   * outcome per message in that order: set-based statements instead of a few per message. A refusal is
   * answered as an outcome, not thrown. If it throws, the batch is applied again message by message
   * through `handle`, each under a savepoint, so both must give the same answers. It runs under no
   * item's request id: what it writes for a message carries `message.requestId` explicitly.
   */
  handleMany?(trx: Transaction<DB>, messages: WireMessage<P>[]): Promise<ItemOutcome[]>;
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
 * A batch endpoint for messages from a peer's outbox. The batch runs in one transaction. One refused or
 * failing item is answered on its own and does not undo the others: for that, items would each need a
 * savepoint, which costs two more statements per item on every batch. So the batch is first applied
 * without them; if an item throws, that whole attempt is rolled back and the batch applied again with a
 * savepoint per item, the item that threw answered as it failed rather than run again. Nothing of the
 * first attempt survives it, so the answers are what the savepoint run alone would have given; items
 * before the one that threw run twice, and only their second run's writes count.
 * Handler errors that are not ours (a deadlock, a lost connection) become `retry` for that item. Each
 * item runs under the request id it was written under, so what it logs and enqueues carries that id on.
 */
export function batchEndpoint<DB>(
  db: Kysely<DB>,
  // biome-ignore lint/suspicious/noExplicitAny: handlers of topics with different payloads, each parsing its own
  handlers: readonly TopicHandler<DB, any>[],
  opts: { metrics?: Metrics } = {},
) {
  const topics = byTopic(handlers);
  return async (ctx: Context) => {
    const { messages } = parseInput(envelope, ctx.request.body, "batch");
    const ordered = byAggregate(messages as WireMessage[]);
    const failed = new Map<WireMessage, ItemOutcome>();
    const answers =
      (await inTransaction(db, (trx) => applyAll(trx, topics, ordered, failed, false))) ??
      (await inTransaction(db, (trx) => applyAll(trx, topics, ordered, failed, true)));
    if (!answers) throw new Error("batch failed with savepoints"); // applyAll with savepoints never gives up
    // Answered in the order sent, whatever order they were applied in.
    const results: BatchResponse["results"] = (messages as WireMessage[]).map((m) => ({
      id: m.id,
      ...answers.get(m)!,
    }));
    for (const [m, o] of answers) {
      opts.metrics?.received.inc({ topic: topics[m.topic] ? m.topic : "unknown", outcome: o.outcome });
    }
    ctx.body = { results } satisfies BatchResponse;
  };
}

function byTopic<DB>(handlers: readonly TopicHandler<DB, unknown>[]): Record<string, TopicHandler<DB, unknown>> {
  const topics: Record<string, TopicHandler<DB, unknown>> = {};
  for (const h of handlers) {
    if (topics[h.topic.name]) throw new Error(`batch endpoint handles topic ${h.topic.name} twice`);
    topics[h.topic.name] = h;
  }
  return topics;
}

type Trx<DB> = Awaited<ReturnType<ReturnType<Kysely<DB>["startTransaction"]>["execute"]>>;

/** Commits what `fn` returns; rolls back when it returns null (or throws, and rethrows). */
async function inTransaction<DB, T>(db: Kysely<DB>, fn: (trx: Trx<DB>) => Promise<T | null>): Promise<T | null> {
  const trx = await db.startTransaction().execute();
  let result: T | null;
  try {
    result = await fn(trx);
  } catch (err) {
    await trx
      .rollback()
      .execute()
      .catch(() => {});
    throw err;
  }
  if (result === null) await trx.rollback().execute();
  else await trx.commit().execute();
  return result;
}

/**
 * Every item's outcome. Without savepoints: null as soon as one item throws (the caller rolls back), its
 * outcome kept in `failed`. With them: items in `failed` are answered from there, not run again.
 */
async function applyAll<DB>(
  trx: Trx<DB>,
  topics: Record<string, TopicHandler<DB, unknown>>,
  ordered: WireMessage[],
  failed: Map<WireMessage, ItemOutcome>,
  savepoints: boolean,
): Promise<Map<WireMessage, ItemOutcome> | null> {
  const answers = new Map<WireMessage, ItemOutcome>();
  if (!savepoints && !(await applySetBased(trx, topics, ordered, answers))) return null;
  for (const [i, m] of ordered.entries()) {
    if (answers.has(m)) continue;
    const known = failed.get(m);
    if (known) {
      answers.set(m, known);
      continue;
    }
    const answer = await withRequestId(m.requestId, () => handleOne(trx, topics, m, savepoints ? `item_${i}` : null));
    if ("threw" in answer) {
      failed.set(m, answer.threw);
      return null;
    }
    answers.set(m, answer);
  }
  return answers;
}

/**
 * Applies the messages of topics with `handleMany`, one call per topic, their answers put in `answers`.
 * False when a call threw: the caller rolls back and applies the batch item by item with savepoints.
 */
async function applySetBased<DB>(
  trx: Trx<DB>,
  topics: Record<string, TopicHandler<DB, unknown>>,
  ordered: WireMessage[],
  answers: Map<WireMessage, ItemOutcome>,
): Promise<boolean> {
  for (const [topic, handler] of Object.entries(topics)) {
    if (!handler.handleMany) continue;
    // The batch's own objects key the answers; the handler gets copies with parsed payloads.
    const valid: Array<{ original: WireMessage; parsed: WireMessage }> = [];
    for (const m of ordered) {
      if (m.topic !== topic) continue;
      const parsed = parsePayload(handler, m);
      if ("outcome" in parsed) answers.set(m, parsed);
      else valid.push({ original: m, parsed: parsed.message });
    }
    if (valid.length === 0) continue;
    try {
      const outcomes = await handler.handleMany(
        trx as unknown as Transaction<DB>,
        valid.map((v) => v.parsed),
      );
      if (outcomes.length !== valid.length) throw new Error("handleMany answered the wrong number of outcomes");
      for (const [i, v] of valid.entries()) answers.set(v.original, outcomes[i]!);
    } catch {
      return false;
    }
  }
  return true;
}

/** The message with its payload parsed by the topic's schema, or the item's refusal. */
function parsePayload<DB>(handler: TopicHandler<DB, unknown>, m: WireMessage): ItemOutcome | { message: WireMessage } {
  const parsed = handler.topic.payload.safeParse(m.payload);
  if (!parsed.success) {
    const message = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    return { outcome: "rejected", error: { code: "VALIDATION_FAILED", message } };
  }
  return { message: { ...m, payload: parsed.data } };
}

/** The answer for an item whose handler threw `err`. */
function outcomeOf(err: unknown): ItemOutcome {
  if (err instanceof AppError) return { outcome: "rejected", error: { code: err.code, message: err.message } };
  return { outcome: "retry", error: { code: "RETRY", message: (err as Error).message ?? String(err) } };
}

async function handleOne<DB>(
  trx: Trx<DB>,
  topics: Record<string, TopicHandler<DB, unknown>>,
  m: WireMessage,
  savepoint: string | null,
): Promise<ItemOutcome | { threw: ItemOutcome }> {
  const handler = topics[m.topic];
  if (!handler)
    return { outcome: "rejected", error: { code: "UNKNOWN_TOPIC", message: `no handler for topic ${m.topic}` } };
  const parsed = parsePayload(handler, m);
  if ("outcome" in parsed) return parsed;
  const { message } = parsed;
  if (savepoint === null) {
    try {
      return await handler.handle(trx as unknown as Transaction<DB>, message);
    } catch (err) {
      return { threw: outcomeOf(err) };
    }
  }
  const sp = await trx.savepoint(savepoint).execute();
  try {
    const outcome = await handler.handle(sp as unknown as Transaction<DB>, message);
    await sp.releaseSavepoint(savepoint).execute();
    return outcome;
  } catch (err) {
    await sp.rollbackToSavepoint(savepoint).execute();
    return outcomeOf(err);
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
