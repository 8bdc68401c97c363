import { z } from "zod";
import type { Topic } from "./topic.ts";

/**
 * The schemas a receiving endpoint's documentation gives its batches: the relay's envelope with one topic
 * and that topic's payload (its contract's parser), and the answer, one item per message. They describe the contract for the
 * OpenAPI document; the envelope itself is checked by `batchEndpoint` and each payload by its handler.
 */
export function messageBatch<P>(topic: Topic<unknown, P, unknown>) {
  return z.object({
    messages: z.array(
      z.object({
        id: z.string(),
        topic: z.literal(topic.name),
        aggregateId: z.string(),
        payload: topic.payload,
        createdAt: z.string(),
      }),
    ),
  });
}

/** The answer to a batch: per message, `ok` with the topic's `result`, or refused or to retry with an error. */
export function batchResults<R extends z.ZodType>(result: R) {
  return z.object({
    results: z.array(
      z.union([
        z.object({ id: z.string(), outcome: z.literal("ok"), result }),
        z.object({
          id: z.string(),
          outcome: z.enum(["rejected", "retry"]),
          error: z.object({ code: z.string(), message: z.string() }),
        }),
      ]),
    ),
  });
}

/**
 * A batch of one message of the topic, its payload the contract's example: each receiving endpoint's request
 * example in the OpenAPI documents. Its aggregate is the example's agreement.
 */
export function exampleBatch(topic: Topic<unknown, unknown, unknown>, message: { id: string; createdAt: string }) {
  const payload = topic.example.payload as { agreementId?: string };
  const aggregateId = payload.agreementId ?? "";
  return { messages: [{ id: message.id, topic: topic.name, aggregateId, payload, createdAt: message.createdAt }] };
}
