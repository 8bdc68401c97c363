import { paymentSucceeded } from "@loans/contracts";
import { paymentAppliedEvent } from "@loans/contracts/events/index";
import { Dec, toMoney } from "@loans/shared/money";
import type { TopicHandler } from "@loans/shared/outbox/receiver";
import type { ReceivedOf } from "@loans/shared/outbox/topic";
import type { ItemOutcome } from "@loans/shared/outbox/types";
import type { Transaction } from "kysely";
import type { PeDB } from "../db.ts";
import { peError } from "../errors.ts";
import type { BusinessClock } from "../lifecycle/business-date.ts";
import { emitPeEvent } from "../lifecycle/events.ts";
import type { Allocation } from "../servicing/index.ts";
import { findLoan } from "../servicing-store/loan.repository.ts";
import { loanState, orderRefund, postLedger, refreshLoan } from "../servicing-store/refresh.ts";

type PaymentSucceeded = ReceivedOf<typeof paymentSucceeded>;

export interface PaymentAnswer {
  appliedOn: string;
  allocation: Allocation;
}

const ZERO = "0.00";

/**
 * `payment.succeeded`: applies a payment once (by PG's payment id), valued on the business date in effect
 * at the bank's settlement instant (§7), under the agreement's row lock, in the batch's transaction. The
 * loan is recomputed through today with the payment in its place, so a payment learned days late ends
 * with the figures of one learned at once. A repeat answers the allocation first computed and writes
 * nothing. Before PE knows the loan ACTIVE the item is retried; a CLOSED loan refunds it whole (§8.6).
 */
export function paymentSucceededHandler(clock: BusinessClock): TopicHandler<PeDB, PaymentSucceeded> {
  return {
    topic: paymentSucceeded,
    async handle(trx, message): Promise<ItemOutcome<PaymentAnswer>> {
      const p = message.payload;
      const { paymentId, agreementId } = p;
      const loan = await findLoan(trx, agreementId, { lock: true });
      if (!loan) throw peError("UNKNOWN_AGREEMENT", `agreement ${agreementId} not found`);
      const seen = await trx.selectFrom("payments").selectAll().where("id", "=", paymentId).executeTakeFirst();
      if (seen) {
        if (seen.agreement_id !== agreementId || !new Dec(seen.amount).eq(p.amount))
          throw peError("CONTRADICTION", `payment ${paymentId} was applied before with other data`);
        return { outcome: "ok", result: seen.answer as PaymentAnswer };
      }
      if (loan.status === "APPROVED" || loan.status === "DISBURSING")
        return {
          outcome: "retry",
          error: { code: "NOT_ACTIVE_YET", message: `agreement ${agreementId} is ${loan.status}, not ACTIVE yet` },
        };
      if (loan.status !== "ACTIVE" && loan.status !== "CLOSED")
        throw peError("UNKNOWN_AGREEMENT", `agreement ${agreementId} is ${loan.status}: nothing to pay`);
      const today = await clock.today(trx);
      // Never before the disbursement (PG takes payments only after it) nor after today (clock skew).
      const at = await clock.at(trx, new Date(p.succeededAt));
      const valueDate = [[loan.disbursedOn!, at].sort()[1]!, today].sort()[0]!;
      const refundWhole = loan.status === "CLOSED";
      await insertPayment(trx, p, paymentId, agreementId, valueDate, refundWhole);
      let answer: PaymentAnswer;
      if (refundWhole) {
        answer = {
          appliedOn: valueDate,
          allocation: { interest: ZERO, principal: ZERO, penalty: ZERO, unapplied: ZERO, refunded: p.amount },
        };
        const stored = {
          id: paymentId,
          amount: p.amount,
          valueDate,
          purpose: p.purpose,
          refundWhole,
          payerAccount: p.payer.accountNumber,
        };
        await orderRefund(trx, agreementId, stored, p.amount);
        const { payments, state } = await loanState(trx, loan, loan.closedOn!);
        await postLedger(trx, loan, state, payments);
      } else {
        const asOf = loan.lastCobDate && loan.lastCobDate > today ? loan.lastCobDate : today;
        const { state } = await refreshLoan(trx, loan, asOf);
        const mine = state.payments.find((x) => x.id === paymentId)!;
        answer = { appliedOn: valueDate, allocation: mine.onValueDate };
      }
      await trx
        .updateTable("payments")
        .set({ answer: JSON.stringify(answer) })
        .where("id", "=", paymentId)
        .execute();
      const { amount, purpose } = p;
      const data = {
        paymentId,
        agreementId,
        amount: toMoney(amount),
        purpose,
        valueDate,
        allocation: answer.allocation,
      };
      await emitPeEvent(trx, paymentAppliedEvent, [{ subject: agreementId, data }], today);
      return { outcome: "ok", result: answer };
    },
  };
}

async function insertPayment(
  trx: Transaction<PeDB>,
  p: PaymentSucceeded,
  id: string,
  agreementId: string,
  valueDate: string,
  refundWhole: boolean,
) {
  await trx
    .insertInto("payments")
    .values({
      id,
      agreement_id: agreementId,
      amount: p.amount,
      purpose: p.purpose,
      payer_account: p.payer.accountNumber,
      succeeded_at: new Date(p.succeededAt),
      value_date: valueDate,
      refund_whole: refundWhole,
      answer: JSON.stringify(null),
    })
    .execute();
}
