import type { AnswerHandler, AnswersHandler } from "./record.ts";
import type { RelayRoute, RelayRoutes } from "./relay.ts";
import { readAnswer, type Topic, type TypedAnswerHandler, type TypedAnswersHandler } from "./topic.ts";
import type { WireMessage } from "./types.ts";

/** Where a topic goes, with what the sender does with each answer, read by the topic's answer schema. */
export interface TopicDestination<DB, Sent, Answer> {
  /** The peer, by a stable name (its health and its deliveries are kept under it), e.g. "origination". */
  destination: string;
  /** Full endpoint URL, e.g. `${ORIGINATION_URL}/internal/applications`. */
  url: string;
  onAnswer?: TypedAnswerHandler<DB, Sent, Answer>;
  /** onAnswer for a whole batch at once; onAnswer stays the fallback, one answer at a time. */
  onAnswers?: TypedAnswersHandler<DB, Sent, Answer>;
}

/** One topic's routes: one destination, or several for a fan-out. */
export interface TopicRoute<DB> {
  topic: string;
  routes: RelayRoute<DB>[];
}

/** A topic's route(s), from its contract: a topic is not routed without one. */
export function route<DB, Sent, Answer>(
  topic: Topic<Sent, unknown, Answer>,
  to: TopicDestination<DB, Sent, Answer> | readonly TopicDestination<DB, Sent, Answer>[],
): TopicRoute<DB> {
  const list: readonly TopicDestination<DB, Sent, Answer>[] = Array.isArray(to) ? to : [to];
  return {
    topic: topic.name,
    routes: list.map(({ destination, url, onAnswer, onAnswers }) => ({
      destination,
      url,
      ...(onAnswer && answerHandlers(topic, onAnswer, onAnswers)),
    })),
  };
}

/** The relay's routes from a service's list of topic routes; a topic listed twice is refused. */
export function relayRoutesOf<DB>(list: readonly TopicRoute<DB>[]): RelayRoutes<DB> {
  const routes: RelayRoutes<DB> = {};
  for (const r of list) {
    if (routes[r.topic]) throw new Error(`outbox topic ${r.topic} is routed twice`);
    routes[r.topic] = r.routes;
  }
  return routes;
}

/** The relay's untyped handlers from typed ones: each answer parsed by the topic before the handler sees it. */
export function answerHandlers<DB, Sent, Answer>(
  topic: Topic<Sent, unknown, Answer>,
  one: TypedAnswerHandler<DB, Sent, Answer>,
  many?: TypedAnswersHandler<DB, Sent, Answer>,
): { onAnswer: AnswerHandler<DB>; onAnswers?: AnswersHandler<DB> } {
  return {
    onAnswer: (trx, message, result) => one(trx, message as WireMessage<Sent>, readAnswer(topic, result)),
    ...(many && {
      onAnswers: (trx, answers) =>
        many(
          trx,
          answers.map((a) => ({ message: a.message as WireMessage<Sent>, answer: readAnswer(topic, a.result) })),
        ),
    }),
  };
}
