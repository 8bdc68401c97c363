import type { Transaction } from "kysely";
import type { z } from "zod";
import { parseInput } from "../http/validate.ts";
import type { OutboxMessage, WireMessage } from "./types.ts";

/**
 * One message between services, defined once (the contracts package) and imported by both ends: the
 * sender writes it with `enqueue`, the receiver's batch endpoint parses it with `payload`, the sender's relay
 * reads the receiver's answer with `answer`. A topic is never written, routed or received without it.
 *
 * - `Sent` is the sender's type: what it must put in, field for field.
 * - `payload` is the receiver's lenient parser: canonical ids, unknown fields ignored, optional fields an
 *   older sender may omit. It must accept every `Sent` (defineTopic checks it), and gives `Received`.
 * - `answer` is the schema of the receiver's per-message result, read by the sender's relay.
 */
export interface Topic<Sent, Received = Sent, Answer = unknown> {
  /** On the wire as the message's `topic`: "agreement.created". */
  readonly name: string;
  /** Bumped when a change would break a receiver of the previous one; not on the wire (it is in the docs). */
  readonly version: number;
  readonly summary: string;
  readonly payload: z.ZodType<Received>;
  readonly answer: z.ZodType<Answer>;
  readonly example: { readonly payload: Sent; readonly answer: Answer };
  /** Only carries the sender's type; never read. */
  readonly sent?: Sent;
}

/**
 * A topic of sender type `Sent`: `defineTopic<Sent>()({...})`. It does not compile unless the parser accepts
 * every `Sent` and the example is one.
 */
export const defineTopic =
  <Sent>() =>
  <P extends z.ZodType, A extends z.ZodType>(topic: {
    name: string;
    version: number;
    summary: string;
    payload: P & (Sent extends z.input<P> ? unknown : { error: "the parser does not accept every sent payload" });
    answer: A;
    example: { payload: Sent; answer: z.output<A> };
  }): Topic<Sent, z.output<P>, z.output<A>> =>
    Object.freeze(topic) as Topic<Sent, z.output<P>, z.output<A>>;

/** Any topic, as the kit's plumbing sees it. */
// biome-ignore lint/suspicious/noExplicitAny: a topic of any payload and answer, for maps of mixed topics
export type AnyTopic = Topic<any, any, any>;

export type SentOf<T> = T extends Topic<infer S, unknown, unknown> ? S : never;
export type ReceivedOf<T> = T extends Topic<unknown, infer R, unknown> ? R : never;
export type AnswerOf<T> = T extends Topic<unknown, unknown, infer A> ? A : never;

/** One message of a topic for `enqueue`: its aggregate (ordering key), its payload, and its request id if not the current. */
export interface Outgoing<Sent> {
  aggregateId: string;
  payload: Sent;
  requestId?: string;
}

/** The outbox rows for messages of one topic. */
export function outboxMessages<Sent>(topic: Topic<Sent, unknown, unknown>, items: readonly Outgoing<Sent>[]) {
  return items.map(
    (m): OutboxMessage => ({
      topic: topic.name,
      aggregateId: m.aggregateId,
      payload: { ...(m.payload as Record<string, unknown>) },
      ...(m.requestId !== undefined && { requestId: m.requestId }),
    }),
  );
}

/** The receiver's answer to one message, parsed by the topic's schema: a malformed one throws VALIDATION_FAILED. */
export const readAnswer = <A>(topic: Topic<unknown, unknown, A>, result: unknown): A =>
  parseInput(topic.answer, result, `answer to ${topic.name}`);

/** What a sender does with an acknowledged message's answer, typed by its topic. */
export type TypedAnswerHandler<DB, Sent, Answer> = (
  trx: Transaction<DB>,
  message: WireMessage<Sent>,
  answer: Answer,
) => Promise<void>;

export type TypedAnswersHandler<DB, Sent, Answer> = (
  trx: Transaction<DB>,
  answers: Array<{ message: WireMessage<Sent>; answer: Answer }>,
) => Promise<void>;
