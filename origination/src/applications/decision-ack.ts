import type { ApplicationDecided } from "@loans/contracts";
import type { WireMessage } from "@loans/shared/outbox";
import type { Transaction } from "kysely";
import type { OriginationDB } from "../db.ts";
import { markManyPaymentPending, markPaymentPending } from "./applications.repository.ts";

/**
 * The relay's `onAnswer` for `application.decided`, run in the transaction that marks the outbox row
 * delivered: PE has the decision, so an APPROVED application now waits for the payment. Only forward: a
 * REJECTED, WITHDRAWN or already PAYMENT_PENDING application stays as it is, so a repeated ack changes
 * nothing. PE's answer (the agreement's status) carries nothing this needs; that PE answered `ok` is the
 * acknowledgement.
 */
export async function applyDecisionAck(
  trx: Transaction<OriginationDB>,
  message: WireMessage<ApplicationDecided>,
): Promise<void> {
  await markPaymentPending(trx, message.aggregateId);
}

/**
 * applyDecisionAck for all of a batch's acknowledged decisions at once (the relay's `onAnswers`): one
 * UPDATE, whatever their number. If it throws, the relay applies them one by one with applyDecisionAck.
 */
export async function applyDecisionAcks(
  trx: Transaction<OriginationDB>,
  answers: Array<{ message: WireMessage<ApplicationDecided> }>,
): Promise<void> {
  await markManyPaymentPending(
    trx,
    answers.map((a) => a.message.aggregateId),
  );
}
