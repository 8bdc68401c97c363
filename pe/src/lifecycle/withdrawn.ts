import { enqueue } from "@loans/shared/outbox/enqueue";
import type { Transaction } from "kysely";
import type { PeDB } from "../db.ts";

export const WITHDRAWN_TOPIC = "agreement.withdrawn";

/** The `agreement.withdrawn` message: the wire contract with Origination, field for field. */
export interface AgreementWithdrawnPayload {
  agreementId: string;
  withdrawnAt: string;
}

/** Writes `agreement.withdrawn` in the caller's transaction, which holds the agreement's row lock. */
export async function sendWithdrawn(trx: Transaction<PeDB>, payload: AgreementWithdrawnPayload): Promise<void> {
  await enqueue(trx, { topic: WITHDRAWN_TOPIC, aggregateId: payload.agreementId, payload: { ...payload } });
}
