import { bossDb } from "@loans/shared";
import type { Transaction } from "kysely";
import type { PgBoss } from "pg-boss";
import { z } from "zod";
import type { GatewayDB } from "../db.ts";

export const PAYMENTS_QUEUE = "payments";

export const paymentJobData = z.object({ paymentId: z.uuid() });

/** Asks the bank worker to collect the payment, inside the transaction that created it. */
export async function enqueuePayment(boss: PgBoss, trx: Transaction<GatewayDB>, paymentId: string): Promise<void> {
  const id = await boss.send(PAYMENTS_QUEUE, { paymentId }, { db: bossDb(trx) });
  // pg-boss answers null instead of failing when the queue does not exist: the payment would wait for the sweep.
  if (id === null) throw new Error(`pg-boss did not take the job for payment ${paymentId}: is the queue created?`);
}
