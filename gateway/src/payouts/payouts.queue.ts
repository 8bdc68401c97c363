import { bossDb } from "@loans/shared";
import type { Transaction } from "kysely";
import type { PgBoss } from "pg-boss";
import { z } from "zod";
import type { GatewayDB } from "../db.ts";

export const PAYOUTS_QUEUE = "payouts";

export const payoutJobData = z.object({ payoutId: z.uuid() });

/** Asks the bank worker to send the payout, inside the transaction that created it. */
export async function enqueuePayout(boss: PgBoss, trx: Transaction<GatewayDB>, payoutId: string): Promise<void> {
  const id = await boss.send(PAYOUTS_QUEUE, { payoutId }, { db: bossDb(trx) });
  // pg-boss answers null instead of failing when the queue does not exist: the payout would wait for the sweep.
  if (id === null) throw new Error(`pg-boss did not take the job for payout ${payoutId}: is the queue created?`);
}
