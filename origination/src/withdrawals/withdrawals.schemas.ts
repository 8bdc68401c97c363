import { batchResults, messageBatch } from "@loans/shared/outbox";
import { z } from "zod";

/** The `agreement.withdrawn` message from PE: the wire contract, field for field. */
export const agreementWithdrawnPayload = z.object({
  agreementId: z.uuid(),
  withdrawnAt: z.iso.datetime({ offset: true }),
});
export type AgreementWithdrawn = z.output<typeof agreementWithdrawnPayload>;

/** What PE records for each withdrawal it delivered: the application is WITHDRAWN, now or from its arrival. */
export const withdrawalAnswer = z.object({ status: z.literal("WITHDRAWN") });
export type WithdrawalAnswer = z.output<typeof withdrawalAnswer>;

/** The batch PE's relay posts; the envelope itself is checked by the shared batch endpoint. */
export const withdrawalBatch = messageBatch("agreement.withdrawn", agreementWithdrawnPayload);

export const withdrawalResults = batchResults(withdrawalAnswer);
