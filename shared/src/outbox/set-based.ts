import type { Transaction } from "kysely";
import { AppError } from "../http/errors.ts";
import type { TopicHandler } from "./receiver.ts";
import type { Topic } from "./topic.ts";
import type { ItemOutcome, WireMessage } from "./types.ts";

/** What applying one message gives: its outcome, or the AppError that refuses it. */
export type Applied<R> = ItemOutcome<R> | AppError;

/**
 * A TopicHandler made of one function that applies a list of messages (in aggregate-id order) with a few
 * statements for the whole list. `handleMany` runs it over the batch and answers a refusal as a rejected
 * outcome; `handle`, the receiver's fallback, runs it over the one message and throws the refusal, as the
 * receiver expects of `handle`. Both answer alike by construction. Whatever the function writes for a
 * message carries `message.requestId`, never the current request id: handleMany runs under none of them.
 */
export function setBasedHandler<DB, P, R>(
  topic: Topic<unknown, P, unknown>,
  applyAll: (trx: Transaction<DB>, messages: WireMessage<P>[]) => Promise<Applied<R>[]>,
): TopicHandler<DB, P> {
  return {
    topic,
    async handle(trx, message) {
      const [applied] = await applyAll(trx, [message]);
      if (applied === undefined) throw new Error("no answer for the message");
      if (applied instanceof AppError) throw applied;
      return applied;
    },
    async handleMany(trx, messages) {
      return (await applyAll(trx, messages)).map(asOutcome);
    },
  };
}

/** A refusal as the receiver answers a thrown AppError (receiver.ts). */
function asOutcome<R>(applied: Applied<R>): ItemOutcome<R> {
  if (!(applied instanceof AppError)) return applied;
  return { outcome: "rejected", error: { code: applied.code, message: applied.message } };
}
