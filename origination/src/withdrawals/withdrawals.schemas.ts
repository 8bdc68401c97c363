import { agreementWithdrawn } from "@loans/contracts";
import { batchResults, messageBatch } from "@loans/shared/outbox";
import { z } from "zod";

/** What PE records for each withdrawal it delivered: the application is WITHDRAWN, now or from its arrival. */
export const withdrawalAnswer = z.object({ status: z.literal("WITHDRAWN") });
export type WithdrawalAnswer = z.output<typeof withdrawalAnswer>;

/** The batch PE's relay posts; the envelope itself is checked by the shared batch endpoint. */
export const withdrawalBatch = messageBatch(agreementWithdrawn);

export const withdrawalResults = batchResults(withdrawalAnswer);
