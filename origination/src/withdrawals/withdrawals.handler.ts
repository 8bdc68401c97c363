import { type AgreementWithdrawn, agreementWithdrawn } from "@loans/contracts";
import type { ItemOutcome, TopicHandler } from "@loans/shared/outbox";
import type { OriginationDB } from "../db.ts";
import { lockAgreement, rememberWithdrawal, withdrawApplication } from "./withdrawals.repository.ts";
import type { WithdrawalAnswer } from "./withdrawals.schemas.ts";

/**
 * `agreement.withdrawn` from PE: the application becomes WITHDRAWN whatever it was, decided or not. PE
 * has withdrawn the agreement for good, so there is nothing to refuse: a decision Origination made
 * meanwhile still goes to PE (which acknowledges and ignores it), and its acknowledgement no longer moves
 * the application (only APPROVED becomes PAYMENT_PENDING). A withdrawal for an agreement not received yet
 * is remembered, and intake opens that application as WITHDRAWN, unscored. A repeat answers the same.
 */
export const agreementWithdrawnHandler: TopicHandler<OriginationDB, AgreementWithdrawn> = {
  topic: agreementWithdrawn,
  async handle(trx, message): Promise<ItemOutcome<WithdrawalAnswer>> {
    const { agreementId, withdrawnAt } = message.payload;
    await lockAgreement(trx, agreementId);
    await rememberWithdrawal(trx, agreementId, new Date(withdrawnAt));
    await withdrawApplication(trx, agreementId);
    return { outcome: "ok", result: { status: "WITHDRAWN" } };
  },
};
