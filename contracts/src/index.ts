/**
 * Every message between the services, defined once: each topic's name and version, the sender's type, the
 * receiver's lenient parser, the answer's schema and an example (topics/), and every aggregate's status list
 * (statuses.ts). Both ends import the same object: `enqueue`, the relay's routes and the batch endpoints
 * take it, so a topic cannot be sent or received without it. To add a topic: README, "Adding a topic".
 */
import type { AnyTopic } from "@loans/shared/outbox/topic";
import { agreementCreated } from "./topics/agreement-created.ts";
import { agreementStatusChanged } from "./topics/agreement-status-changed.ts";
import { agreementWithdrawn } from "./topics/agreement-withdrawn.ts";
import { applicationDecided } from "./topics/application-decided.ts";
import { paymentSucceeded } from "./topics/payment-succeeded.ts";
import { payoutRequested } from "./topics/payout-requested.ts";
import { payoutSettled } from "./topics/payout-settled.ts";

export * from "./fields.ts";
export * from "./statuses.ts";
export { type AgreementCreated, agreementCreated } from "./topics/agreement-created.ts";
export { type AgreementStatusChanged, agreementStatusChanged } from "./topics/agreement-status-changed.ts";
export { type AgreementWithdrawn, agreementWithdrawn } from "./topics/agreement-withdrawn.ts";
export { type ApplicationDecided, applicationDecided } from "./topics/application-decided.ts";
export { type PaymentSucceeded, paymentSucceeded } from "./topics/payment-succeeded.ts";
export { type PayoutRequested, payoutRequested } from "./topics/payout-requested.ts";
export { type PayoutSettled, payoutSettled } from "./topics/payout-settled.ts";

/** Every topic, for the documentation and the tests that hold each to its example. */
export const TOPICS: readonly AnyTopic[] = [
  agreementCreated,
  agreementWithdrawn,
  applicationDecided,
  payoutRequested,
  payoutSettled,
  paymentSucceeded,
  agreementStatusChanged,
];
