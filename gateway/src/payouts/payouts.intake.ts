import { createHash } from "node:crypto";
import { Dec } from "@loans/shared/money";
import type { TopicHandler } from "@loans/shared/outbox/receiver";
import type { ItemOutcome } from "@loans/shared/outbox/types";
import type { PgBoss } from "pg-boss";
import type { GatewayDB } from "../db.ts";
import { gatewayError } from "../errors.ts";
import { toPayoutAnswer } from "./payouts.mappers.ts";
import { enqueuePayout } from "./payouts.queue.ts";
import { findPayout, insertPayout } from "./payouts.repository.ts";
import { type PayoutAnswer, type PayoutRequested, payoutRequestedPayload } from "./payouts.schemas.ts";

export const REQUESTED_TOPIC = "payout.requested";

/** What the order says, canonical (amounts as decimals, ids lower-case), so a repeat hashes alike. */
export function orderHash(p: PayoutRequested): string {
  const fields = [
    p.payoutId.toLowerCase(),
    p.kind,
    p.agreementId.toLowerCase(),
    new Dec(p.amount).toString(),
    p.currency,
    p.destination.accountNumber,
    p.sourcePaymentId?.toLowerCase() ?? null,
  ];
  return `v1:${createHash("sha256").update(JSON.stringify(fields)).digest("hex")}`;
}

/**
 * `payout.requested` from PE: the payout PENDING with its bank job, in the batch's transaction; answers
 * its current status. A repeat answers the payout as it is now (PAID, say, if PE lost the first answer
 * and the bank has paid since). The same id with other data, or a second DISBURSEMENT for one agreement,
 * is refused for that item: PAYOUT_CONFLICT.
 */
export function payoutRequestedHandler(deps: { boss: PgBoss }): TopicHandler<GatewayDB, PayoutRequested> {
  return {
    payload: payoutRequestedPayload,
    async handle(trx, message): Promise<ItemOutcome<PayoutAnswer>> {
      const p = message.payload;
      const hash = orderHash(p);
      const created = await insertPayout(trx, {
        id: p.payoutId.toLowerCase(),
        kind: p.kind,
        agreement_id: p.agreementId.toLowerCase(),
        amount: p.amount,
        currency: p.currency,
        account_number: p.destination.accountNumber,
        source_payment_id: p.sourcePaymentId?.toLowerCase() ?? null,
        payload_hash: hash,
      });
      if (created) {
        await enqueuePayout(deps.boss, trx, created.id);
        return { outcome: "ok", result: toPayoutAnswer(created) };
      }
      const existing = await findPayout(trx, p.payoutId.toLowerCase());
      if (existing && existing.payload_hash === hash) return { outcome: "ok", result: toPayoutAnswer(existing) };
      throw gatewayError(
        "PAYOUT_CONFLICT",
        existing
          ? `payout ${p.payoutId} was ordered before with different data`
          : `agreement ${p.agreementId} already has a DISBURSEMENT payout`,
      );
    },
  };
}
