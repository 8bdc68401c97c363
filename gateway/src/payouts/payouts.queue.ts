import { bankQueue } from "../bank/job-queue.ts";

/** Asks the bank worker to send a payout, inside the transaction that created it. */
export const payoutsQueue = bankQueue("payouts", "payout");
export const PAYOUTS_QUEUE = payoutsQueue.name;
