import { type PaymentSucceeded, paymentSucceeded } from "@loans/contracts";
import { paymentFailedEvent, paymentSucceededEvent } from "@loans/contracts/events/index";
import { emitEvent } from "@loans/shared/events/emit";
import { enqueue } from "@loans/shared/outbox/enqueue";
import { sql, type Transaction } from "kysely";
import { lockAgreementOutbox } from "../agreement-lock.ts";
import { type BankTable, finalColumns } from "../bank/bookkeeping.ts";
import type { BankOutcome } from "../bank/steps.ts";
import type { MovementKind } from "../bank/worker.ts";
import type { GatewayDB } from "../db.ts";
import { paymentsQueue } from "./payments.queue.ts";
import type { PaymentRow } from "./payments.repository.ts";

const table: BankTable = {
  name: "payments",
  open: sql<boolean>`status = 'PROCESSING'`,
  accepted: sql`bank_accepted_at = coalesce(bank_accepted_at, now())`,
};

/** PROCESSING → SUCCEEDED | FAILED; undefined when it was final already (nothing written). */
async function settlePayment(trx: Transaction<GatewayDB>, id: string, o: BankOutcome) {
  const succeeded = o.outcome === "SETTLED";
  return trx
    .updateTable("payments")
    .set({
      status: succeeded ? "SUCCEEDED" : "FAILED",
      succeeded_at: succeeded ? o.settledAt : null,
      ...finalColumns(o),
    })
    .where("id", "=", id)
    .where("status", "=", "PROCESSING")
    .returningAll()
    .executeTakeFirst();
}

/** `payment.succeeded` or `payment.failed` for listeners (EVENTS §2), in the settling transaction; no payer account. */
async function emitOutcome(trx: Transaction<GatewayDB>, row: PaymentRow, o: BankOutcome) {
  const common = { paymentId: row.id, agreementId: row.agreement_id, amount: row.amount, purpose: row.purpose };
  const at = o.settledAt.toISOString();
  if (row.status === "SUCCEEDED")
    await emitEvent(trx, paymentSucceededEvent, { subject: row.agreement_id, data: { ...common, succeededAt: at } });
  else
    await emitEvent(trx, paymentFailedEvent, {
      subject: row.agreement_id,
      data: {
        ...common,
        failedAt: at,
        failureCode: row.failure_code ?? null,
        failureMessage: row.failure_message ?? null,
      },
    });
}

/**
 * Payments as the bank worker drives them: collected IN from the payer's account. Only a SUCCEEDED one is
 * announced to PE; a FAILED one moved no money and PE never hears of it (LIFECYCLE §1.3).
 */
export const paymentMovements: MovementKind<PaymentRow> = {
  what: "payment",
  queue: paymentsQueue.name,
  table,
  jobId: paymentsQueue.jobId,
  phase: (p) => (p.status !== "PROCESSING" ? "final" : p.bank_accepted_at === null ? "submit" : "poll"),
  order: (p) => ({ id: p.id, amount: p.amount, accountNumber: p.payer_account, direction: "IN" }),
  async settle(trx, p, outcome) {
    if (outcome.outcome === "SETTLED") await lockAgreementOutbox(trx, p.agreement_id);
    const row = await settlePayment(trx, p.id, outcome);
    if (!row) return false;
    await emitOutcome(trx, row, outcome);
    if (row.status !== "SUCCEEDED") return true;
    const payload: PaymentSucceeded = {
      paymentId: row.id,
      agreementId: row.agreement_id,
      amount: row.amount,
      purpose: row.purpose,
      payer: { accountNumber: row.payer_account },
      succeededAt: outcome.settledAt.toISOString(),
    };
    await enqueue(trx, paymentSucceeded, { aggregateId: row.agreement_id, payload });
    return true;
  },
  crashPoint: "after-payment-settled",
};
