/**
 * The outbox, for the services: `enqueue` inside a transaction, the relay that delivers to each topic's
 * destinations, the receiving side's batch endpoint, and the operator's inspection. Its tables and views are
 * migrations of their own (db/outbox/), applied to every service database.
 */
export { backoffDelayMs, expectedRetryWindowMs } from "./backoff.ts";
export { batchResults, exampleBatch, messageBatch } from "./batch-schemas.ts";
export { enqueue, OUTBOX_CHANNEL } from "./enqueue.ts";
export {
  type DeadLetter,
  deadLetters,
  formatAge,
  formatTable,
  type RequeueOptions,
  RequeueRefused,
  requeueDead,
  type TopicStatus,
  topicStatus,
} from "./inspect.ts";
export { purgeDelivered, relayQueues } from "./maintenance.ts";
export { DEFAULT_RELAY_OPTIONS, type RelayOptions, resolveOptions } from "./options.ts";
export { batchEndpoint, byAggregate, type TopicHandler } from "./receiver.ts";
export { type AnswerHandler, type AnswersHandler, toWire } from "./record.ts";
export {
  createRelay,
  type Relay,
  type RelayDeps,
  type RelayRoute,
  type RelayRoutes,
  type RelayTransport,
  routeTable,
} from "./relay.ts";
export { type ServiceRelayDeps, serviceRelay } from "./service-relay.ts";
export { type Applied, setBasedHandler } from "./set-based.ts";
export {
  type AnswerOf,
  type AnyTopic,
  defineTopic,
  type Outgoing,
  type ReceivedOf,
  readAnswer,
  type SentOf,
  type Topic,
  type TypedAnswerHandler,
  type TypedAnswersHandler,
} from "./topic.ts";
export { relayRoutesOf, route, type TopicDestination, type TopicRoute } from "./topic-routes.ts";
export * from "./types.ts";
