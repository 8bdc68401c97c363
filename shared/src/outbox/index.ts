export { backoffDelayMs, expectedRetryWindowMs } from "./backoff.ts";
export { enqueue, OUTBOX_CHANNEL } from "./enqueue.ts";
export { type DeadLetter, deadLetters, requeueDead, type TopicStatus, topicStatus } from "./inspect.ts";
export { purgeDelivered, relayQueues } from "./maintenance.ts";
export { DEFAULT_RELAY_OPTIONS, resolveOptions } from "./options.ts";
export { batchEndpoint, type TopicHandler } from "./receiver.ts";
export { createRelay, type Relay, type RelayDeps, type RelayOptions, type RelayRoute } from "./relay.ts";
export * from "./types.ts";
