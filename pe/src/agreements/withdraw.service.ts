import { AppError } from "@loans/shared";
import type { Transaction } from "kysely";
import type { PeDB } from "../db.ts";
import { peError } from "../errors.ts";
import { lockAgreementStatus, lockedNow, setStatus } from "../lifecycle/status.repository.ts";
import { recordMoves } from "../lifecycle/status-moves.ts";
import { transition } from "../lifecycle/transitions.ts";
import { sendWithdrawn } from "../lifecycle/withdrawn.ts";

/**
 * The client takes the application back: under the agreement's row lock, WITHDRAWN with its history row
 * and the `agreement.withdrawn` message to Origination, all in the caller's transaction. The lock comes
 * first so that this outbox row's id is taken after every earlier message of the agreement (the relay
 * delivers an aggregate's messages in id order). Answers whether it moved: a repeat changes nothing and
 * writes no second message; a REJECTED agreement cannot be withdrawn.
 */
export async function withdrawAgreement(trx: Transaction<PeDB>, id: string): Promise<{ moved: boolean }> {
  const row = await lockAgreementStatus(trx, id);
  if (!row) throw new AppError("NOT_FOUND", "agreement not found");
  const t = transition(row.status, "WITHDRAW");
  if (t.kind === "same") return { moved: false };
  if (t.kind === "conflict") {
    throw peError("INVALID_TRANSITION", `agreement is ${row.status} and can no longer be withdrawn`, [
      { path: "status", message: `is ${row.status}`, status: row.status },
    ]);
  }
  const at = await lockedNow(trx);
  await setStatus(trx, id, t.to, null);
  await recordMoves(trx, [{ agreementId: id, from: row.status, to: t.to, event: "WITHDRAW", at }]);
  await sendWithdrawn(trx, { agreementId: id, withdrawnAt: at.toISOString() });
  return { moved: true };
}
