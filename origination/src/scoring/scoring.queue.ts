import { bossDb, currentRequestId } from "@loans/shared";
import type { Transaction } from "kysely";
import type { PgBoss } from "pg-boss";
import { z } from "zod";
import type { OriginationDB } from "../db.ts";

export const SCORING_QUEUE = "scoring";

// The request id the application came with, so the decision's log lines and outbox row carry it on.
export const scoringJobData = z.object({ agreementId: z.uuid(), requestId: z.string().max(128).optional() });
export type ScoringJobData = z.output<typeof scoringJobData>;

/** Asks for the application to be scored, inside the transaction that created it. */
export async function enqueueScoring(
  boss: PgBoss,
  trx: Transaction<OriginationDB>,
  agreementId: string,
): Promise<void> {
  const requestId = currentRequestId();
  const data: ScoringJobData = { agreementId, ...(requestId && { requestId }) };
  const id = await boss.send(SCORING_QUEUE, data, { db: bossDb(trx) });
  // pg-boss answers null instead of failing when the queue does not exist: the application would wait forever.
  if (id === null) throw new Error(`pg-boss did not take the scoring job for ${agreementId}: is the queue created?`);
}
