import { type PayoutRequested, payoutRequested } from "@loans/contracts";
import { enqueue } from "@loans/shared/outbox/enqueue";
import type { Transaction } from "kysely";
import type { PeDB } from "../db.ts";

/**
 * Writes `payout.requested` in the caller's transaction: the disbursement when an agreement enters
 * DISBURSING, a refund when a closed loan gives a payment's surplus back.
 */
export async function requestPayout(trx: Transaction<PeDB>, payload: PayoutRequested): Promise<void> {
  await enqueue(trx, payoutRequested, { aggregateId: payload.agreementId, payload });
}
