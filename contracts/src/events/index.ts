/**
 * Every public business event (EVENTS §2), defined once: its type, source, version, the data's schema and
 * an example (one file per type). The writers (`emitEvent`), each service's feed and AsyncAPI document,
 * and the docs page read these objects. To add a type: a file here, the list below, an `emitEvent` call
 * in the transaction of its change, and README "Listening to the system".
 */
import type { AnyEventType } from "@loans/shared/events/catalog";
import { agreementCreatedEvent } from "./agreement-created.ts";
import { agreementDelinquencyChangedEvent } from "./agreement-delinquency-changed.ts";
import { agreementScheduleChangedEvent } from "./agreement-schedule-changed.ts";
import { agreementStatusChangedEvent } from "./agreement-status-changed.ts";
import { applicationDecidedEvent } from "./application-decided.ts";
import { businessDateClosedEvent } from "./business-date-closed.ts";
import { paymentAppliedEvent } from "./payment-applied.ts";
import { paymentFailedEvent } from "./payment-failed.ts";
import { paymentReturnedEvent } from "./payment-returned.ts";
import { paymentReversedEvent } from "./payment-reversed.ts";
import { paymentSucceededEvent } from "./payment-succeeded.ts";
import { payoutSettledEvent } from "./payout-settled.ts";
import { reconciliationCompletedEvent } from "./reconciliation-completed.ts";

export * from "./agreement-created.ts";
export * from "./agreement-delinquency-changed.ts";
export * from "./agreement-schedule-changed.ts";
export * from "./agreement-status-changed.ts";
export * from "./application-decided.ts";
export * from "./business-date-closed.ts";
export * from "./payment-applied.ts";
export * from "./payment-failed.ts";
export * from "./payment-returned.ts";
export * from "./payment-reversed.ts";
export * from "./payment-succeeded.ts";
export * from "./payout-settled.ts";
export * from "./reconciliation-completed.ts";

/** The catalog, in EVENTS §2's order. */
export const EVENT_TYPES: readonly AnyEventType[] = [
  agreementCreatedEvent,
  agreementStatusChangedEvent,
  agreementDelinquencyChangedEvent,
  agreementScheduleChangedEvent,
  paymentAppliedEvent,
  paymentReversedEvent,
  businessDateClosedEvent,
  applicationDecidedEvent,
  payoutSettledEvent,
  paymentSucceededEvent,
  paymentFailedEvent,
  paymentReturnedEvent,
  reconciliationCompletedEvent,
];

/**
 * Defined, not emitted yet: the change each reports does not exist in the code (delinquency buckets
 * as events, returns and reversals, reconciliation are later issues). Their emitter adds the call and
 * drops `emitted: false`.
 */
export const EMITTED_LATER: readonly string[] = EVENT_TYPES.filter((e) => !e.emitted).map((e) => e.type);

/** One service's own types: what its feed serves and its AsyncAPI document lists. */
export const eventsOf = (source: string): readonly AnyEventType[] => EVENT_TYPES.filter((e) => e.source === source);
