import { createHash } from "node:crypto";
import { payoutRequested } from "@loans/contracts";
import { Dec } from "@loans/shared/money";
import type { TopicHandler } from "@loans/shared/outbox/receiver";
import type { ReceivedOf } from "@loans/shared/outbox/topic";
import type { ItemOutcome } from "@loans/shared/outbox/types";
import type { PgBoss } from "pg-boss";
import type { GatewayDB } from "../db.ts";
import { gatewayError } from "../errors.ts";
import { toPayoutAnswer } from "./payouts.mappers.ts";
import { payoutsQueue } from "./payouts.queue.ts";
import { findPayout, insertPayout, type PayoutRow } from "./payouts.repository.ts";
import type { PayoutAnswer } from "./payouts.schemas.ts";
import { checkRefundCovered } from "./refunds.ts";

/** A payout order as the contract's parser gives it: ids canonical, the amount canonical text. */
export type PayoutRequested = ReceivedOf<typeof payoutRequested>;

/** What the order says, canonical (amounts as decimals, ids lower-case), so a repeat hashes alike. */
export function orderHash(p: PayoutRequested): string {
  const fields = [
    p.payoutId,
    p.kind,
    p.agreementId,
    new Dec(p.amount).toString(),
    p.currency,
    p.destination.accountNumber,
    p.sourcePaymentId ?? null,
  ];
  return `v1:${createHash("sha256").update(JSON.stringify(fields)).digest("hex")}`;
}

function answerRepeat(existing: PayoutRow | undefined, hash: string, p: PayoutRequested): ItemOutcome<PayoutAnswer> {
  if (existing && existing.payload_hash === hash) return { outcome: "ok", result: toPayoutAnswer(existing) };
  const why = existing
    ? `payout ${p.payoutId} was ordered before with different data`
    : p.kind === "DISBURSEMENT"
      ? `agreement ${p.agreementId} already has a DISBURSEMENT payout`
      : `payment ${p.sourcePaymentId} already has a refund that has not failed`;
  throw gatewayError("PAYOUT_CONFLICT", why);
}

/**
 * `payout.requested` from PE: the payout PENDING with its bank job, in the batch's transaction; answers
 * its current status. A repeat answers the payout as it is now (PAID, say, if PE lost the first answer
 * and the bank has paid since). The same id with other data, or a second DISBURSEMENT for one agreement,
 * is refused for that item: PAYOUT_CONFLICT. A REFUND (kind REFUND, for an agreement PE has closed, as many
 * per agreement as it had payments) must be covered by a payment PG collected (refunds.ts).
 */
export function payoutRequestedHandler(deps: { boss: PgBoss }): TopicHandler<GatewayDB, PayoutRequested> {
  return {
    topic: payoutRequested,
    async handle(trx, message): Promise<ItemOutcome<PayoutAnswer>> {
      const p = message.payload;
      const id = p.payoutId;
      const hash = orderHash(p);
      // A repeat answers the payout as it is, before any check: a refund counts itself among the refunds.
      const known = await findPayout(trx, id);
      if (known) return answerRepeat(known, hash, p);
      if (p.kind === "REFUND") await checkRefundCovered(trx, p);
      const created = await insertPayout(trx, {
        id,
        kind: p.kind,
        agreement_id: p.agreementId,
        amount: p.amount,
        currency: p.currency,
        account_number: p.destination.accountNumber,
        source_payment_id: p.sourcePaymentId ?? null,
        payload_hash: hash,
      });
      if (created) {
        await payoutsQueue.enqueue(deps.boss, trx, created.id);
        return { outcome: "ok", result: toPayoutAnswer(created) };
      }
      // Another order took the id meanwhile, or the agreement's one DISBURSEMENT, or the payment's one refund.
      return answerRepeat(await findPayout(trx, id), hash, p);
    },
  };
}
