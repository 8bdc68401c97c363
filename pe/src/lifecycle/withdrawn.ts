import { type AgreementWithdrawn, agreementWithdrawn } from "@loans/contracts";
import { enqueue } from "@loans/shared/outbox/enqueue";
import type { Transaction } from "kysely";
import type { PeDB } from "../db.ts";

/** Writes `agreement.withdrawn` in the caller's transaction, which holds the agreement's row lock. */
export async function sendWithdrawn(trx: Transaction<PeDB>, payload: AgreementWithdrawn): Promise<void> {
  await enqueue(trx, agreementWithdrawn, { aggregateId: payload.agreementId, payload });
}
