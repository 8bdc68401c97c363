import { randomUUID } from "node:crypto";
import type { PayoutRequested } from "@loans/contracts";
import { AppError } from "@loans/shared";
import { toMoney } from "@loans/shared/money";
import type { Transaction } from "kysely";
import type { PeDB } from "../db.ts";
import { peError } from "../errors.ts";
import { requestPayout } from "../lifecycle/payouts.ts";
import { lockedNow } from "../lifecycle/status.repository.ts";
import { recordMoves } from "../lifecycle/status-moves.ts";
import { transition } from "../lifecycle/transitions.ts";

/** The agreement's row as the disbursement needs it, locked until the transaction ends. */
async function lockForDisbursement(trx: Transaction<PeDB>, id: string) {
  return trx
    .selectFrom("agreements")
    .select(["status", "disbursement_amount", "disbursement_account"])
    .where("id", "=", id)
    .forUpdate()
    .executeTakeFirst();
}

/**
 * The client asks for the money (LIFECYCLE §2.2 step 1): under the agreement's row lock, APPROVED →
 * DISBURSING with a new payout id and the account, and the `payout.requested` message to PG, all in the
 * caller's transaction. A repeat with the account already ordered changes nothing (answers as the first
 * time); another account, or any status but APPROVED before, is 409 INVALID_TRANSITION. A withdrawal
 * racing it takes the same lock: whichever comes first wins, the other gets 409.
 */
export async function disburseAgreement(
  trx: Transaction<PeDB>,
  id: string,
  accountNumber: string,
): Promise<{ moved: boolean }> {
  const row = await lockForDisbursement(trx, id);
  if (!row) throw new AppError("NOT_FOUND", "agreement not found");
  const t = transition(row.status, "DISBURSE");
  const refuse = (why: string) =>
    peError("INVALID_TRANSITION", why, [{ path: "status", message: `is ${row.status}`, status: row.status }]);
  if (t.kind === "conflict") throw refuse(`agreement is ${row.status}; only an APPROVED agreement can be disbursed`);
  if (t.kind === "same") {
    if (row.disbursement_account !== accountNumber)
      throw peError("INVALID_TRANSITION", "the disbursement was already ordered to another account", [
        { path: "destination.accountNumber", message: "differs from the account already ordered" },
      ]);
    return { moved: false };
  }
  const at = await lockedNow(trx);
  const payoutId = randomUUID();
  await trx
    .updateTable("agreements")
    .set({
      status: t.to,
      updated_at: at,
      disbursement_id: payoutId,
      disbursement_account: accountNumber,
      disbursement_status: "REQUESTED",
      disbursement_requested_at: at,
    })
    .where("id", "=", id)
    .execute();
  await recordMoves(trx, [{ agreementId: id, from: row.status, to: t.to, event: "DISBURSE", at }]);
  const payload: PayoutRequested = {
    payoutId,
    kind: "DISBURSEMENT",
    agreementId: id,
    // The fee stays inside the principal: the client receives the disbursement amount.
    amount: toMoney(row.disbursement_amount),
    currency: "RUB",
    destination: { accountNumber },
  };
  await requestPayout(trx, payload);
  return { moved: true };
}
