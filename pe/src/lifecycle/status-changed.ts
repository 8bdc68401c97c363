import { type AgreementStatusChanged, agreementStatusChanged } from "@loans/contracts";
import { enqueue } from "@loans/shared/outbox/enqueue";
import type { Transaction } from "kysely";
import type { PeDB } from "../db.ts";

/**
 * Writes `agreement.status-changed` in the caller's transaction, which holds the agreement's row lock: the
 * payout result that made it ACTIVE or DISBURSEMENT_FAILED, or the payment or daily job that closed it.
 */
export async function sendStatusChanged(trx: Transaction<PeDB>, payload: AgreementStatusChanged): Promise<void> {
  await enqueue(trx, agreementStatusChanged, { aggregateId: payload.agreementId, payload });
}
