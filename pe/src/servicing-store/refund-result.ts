import type { Transaction } from "kysely";
import type { PeDB } from "../db.ts";
import { findLoan } from "./loan.repository.ts";
import { loanState, postLedger } from "./refresh.ts";

/**
 * PG's final word on a REFUND payout (LIFECYCLE §8.7): the refund row takes it once, and the ledger moves
 * the amount out of CLIENT_FUNDS — to SETTLEMENT when paid, to REFUND_PAYABLE when it failed, where it
 * waits for an operator. A result for no refund of this agreement, or a repeat, changes nothing: a
 * REFUND's result is always answered ok.
 */
export async function applyRefundResult(
  trx: Transaction<PeDB>,
  agreementId: string,
  r: { payoutId: string; status: "PAID" | "FAILED"; settledAt: string },
): Promise<void> {
  const loan = await findLoan(trx, agreementId, { lock: true });
  if (!loan?.terms || !loan.closedOn) return;
  const updated = await trx
    .updateTable("refunds")
    .set({ status: r.status, settled_at: new Date(r.settledAt) })
    .where("agreement_id", "=", agreementId)
    .where("payout_id", "=", r.payoutId)
    .where("status", "=", "PENDING")
    .returning("payment_id")
    .executeTakeFirst();
  if (!updated) return;
  const { payments, state } = await loanState(trx, loan, loan.closedOn);
  await postLedger(trx, loan, state, payments);
}
