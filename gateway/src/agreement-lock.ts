import { sql, type Transaction } from "kysely";
import type { GatewayDB } from "./db.ts";

/**
 * Serialises, until `trx` ends, the transactions that write outbox messages of one agreement (a payout
 * settled, a payment collected, possibly at once). The outbox takes ids at insert and delivers an
 * aggregate's messages in id order, so concurrent writers of one aggregate must take turns (enqueue.ts);
 * the rows they update are different rows, so their own locks do not do it.
 */
export async function lockAgreementOutbox(trx: Transaction<GatewayDB>, agreementId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`gateway.agreement:${agreementId}`}, 0))`.execute(trx);
}
