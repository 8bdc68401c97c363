import type { payoutRequested } from "@loans/contracts";
import { Dec } from "@loans/shared/money";
import type { ReceivedOf } from "@loans/shared/outbox/topic";
import { sql, type Transaction } from "kysely";
import type { GatewayDB } from "../db.ts";
import { gatewayError } from "../errors.ts";

type PayoutRequested = ReceivedOf<typeof payoutRequested>;

/**
 * A REFUND gives back money PG has collected (LIFECYCLE §2.6, §3.2 item 7): it names a SUCCEEDED payment
 * of its agreement at least as large, and the agreement's live refunds (every one not FAILED) stay within
 * what its SUCCEEDED payments brought in. PE derives the amounts and never asks for more; this is the
 * gateway's own guard against a bug sending money out twice. The source payment's row is locked, so
 * two refunds of one payment take turns (and the unique index allows one live refund per payment anyway).
 * Refunds come after PE closed the agreement, so its status is not looked at.
 */
export async function checkRefundCovered(trx: Transaction<GatewayDB>, p: PayoutRequested): Promise<void> {
  const agreementId = p.agreementId;
  const refuse = (why: string) => gatewayError("REFUND_NOT_COVERED", `refund ${p.payoutId}: ${why}`);
  if (!p.sourcePaymentId) throw refuse("a REFUND must name its sourcePaymentId");
  const source = await trx
    .selectFrom("payments")
    .select(["agreement_id", "status", "amount"])
    .where("id", "=", p.sourcePaymentId)
    .forUpdate()
    .executeTakeFirst();
  if (!source || source.agreement_id !== agreementId || source.status !== "SUCCEEDED")
    throw refuse(`payment ${p.sourcePaymentId} is no SUCCEEDED payment of agreement ${agreementId}`);
  if (new Dec(p.amount).gt(source.amount))
    throw refuse(`${p.amount} is more than payment ${p.sourcePaymentId} brought in (${source.amount})`);
  const { rows } = await sql<{ paid_in: string; refunded: string }>`
    select
      (select coalesce(sum(amount), 0) from payments
        where agreement_id = ${agreementId}::uuid and status = 'SUCCEEDED') as paid_in,
      (select coalesce(sum(amount), 0) from payouts
        where agreement_id = ${agreementId}::uuid and kind = 'REFUND' and status <> 'FAILED') as refunded`.execute(trx);
  const { paid_in, refunded } = rows[0]!;
  if (new Dec(refunded).plus(p.amount).gt(paid_in))
    throw refuse(`refunds of agreement ${agreementId} would reach more than its payments (${paid_in})`);
}
