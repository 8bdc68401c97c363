import { bankQueue } from "../bank/job-queue.ts";

/** Asks the bank worker to collect a payment, inside the transaction that created it. */
export const paymentsQueue = bankQueue("payments", "payment");
export const PAYMENTS_QUEUE = paymentsQueue.name;
