import { agreementWithdrawn } from "@loans/contracts";
import { type AnswerOf, batchResults, messageBatch } from "@loans/shared/outbox";

/** What PE records for each withdrawal it delivered: the application is WITHDRAWN, now or from its arrival. */
export type WithdrawalAnswer = AnswerOf<typeof agreementWithdrawn>;

/** The batch PE's relay posts; the envelope itself is checked by the shared batch endpoint. */
export const withdrawalBatch = messageBatch(agreementWithdrawn);

export const withdrawalResults = batchResults(agreementWithdrawn.answer);
