import { enqueue } from "@loans/shared/outbox/enqueue";
import type { Transaction } from "kysely";
import type { PeDB } from "../db.ts";

export const STATUS_CHANGED_TOPIC = "agreement.status-changed";

/** The `agreement.status-changed` message to Origination (and PG): the wire contract, field for field. */
export interface StatusChangedPayload {
  agreementId: string;
  status: "ACTIVE" | "CLOSED" | "DISBURSEMENT_FAILED";
  /** The business date of the change: for ACTIVE, the disbursement date. */
  on: string;
  at: string;
}

/**
 * Writes `agreement.status-changed` in the caller's transaction, which holds the agreement's row lock: the
 * payout result that made it ACTIVE or DISBURSEMENT_FAILED, or the payment or daily job that closed it.
 */
export async function sendStatusChanged(trx: Transaction<PeDB>, payload: StatusChangedPayload): Promise<void> {
  await enqueue(trx, { topic: STATUS_CHANGED_TOPIC, aggregateId: payload.agreementId, payload: { ...payload } });
}
