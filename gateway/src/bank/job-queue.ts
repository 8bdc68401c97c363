import { bossDb } from "@loans/shared";
import type { Transaction } from "kysely";
import type { PgBoss } from "pg-boss";
import { z } from "zod";
import type { GatewayDB } from "../db.ts";

/**
 * A bank worker's pg-boss queue (payouts, payments): one job per row, `{ <what>Id }`, written in the
 * transaction that creates the row, so the row and its job exist together.
 */
export function bankQueue(name: string, what: "payout" | "payment") {
  const key = `${what}Id`;
  const data = z.object({ [key]: z.uuid() });
  return {
    name,
    /** The row's id from a job's data; undefined for data that is not this queue's. */
    jobId(job: unknown): string | undefined {
      const r = data.safeParse(job);
      return r.success ? (r.data[key] as string) : undefined;
    },
    async enqueue(boss: PgBoss, trx: Transaction<GatewayDB>, id: string): Promise<void> {
      const jobId = await boss.send(name, { [key]: id }, { db: bossDb(trx) });
      // pg-boss answers null instead of failing when the queue does not exist: the row would wait for the sweep.
      if (jobId === null) throw new Error(`pg-boss did not take the job for ${what} ${id}: is the queue created?`);
    },
  };
}
