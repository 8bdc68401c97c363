import { type PayoutSettled, payoutSettled } from "@loans/contracts";
import { payoutSettledEvent } from "@loans/contracts/events/index";
import { emitEvent } from "@loans/shared/events/emit";
import { enqueue } from "@loans/shared/outbox/enqueue";
import { sql, type Transaction } from "kysely";
import { lockAgreementOutbox } from "../agreement-lock.ts";
import { type BankTable, finalColumns } from "../bank/bookkeeping.ts";
import type { BankOutcome } from "../bank/steps.ts";
import type { MovementKind } from "../bank/worker.ts";
import type { GatewayDB } from "../db.ts";
import { payoutsQueue } from "./payouts.queue.ts";
import type { PayoutRow } from "./payouts.repository.ts";

const table: BankTable = {
  name: "payouts",
  open: sql<boolean>`status in ('PENDING', 'IN_TRANSIT')`,
  accepted: sql`status = 'IN_TRANSIT'`,
};

/** PENDING | IN_TRANSIT → PAID | FAILED; undefined when it was final already (nothing written). */
async function settlePayout(trx: Transaction<GatewayDB>, id: string, o: BankOutcome) {
  return trx
    .updateTable("payouts")
    .set({
      status: o.outcome === "SETTLED" ? "PAID" : "FAILED",
      settled_at: o.settledAt,
      ...finalColumns(o),
    })
    .where("id", "=", id)
    .where("status", "in", ["PENDING", "IN_TRANSIT"])
    .returningAll()
    .executeTakeFirst();
}

/** Payouts as the bank worker drives them: sent OUT to the destination; every final status announced. */
export const payoutMovements: MovementKind<PayoutRow> = {
  what: "payout",
  queue: payoutsQueue.name,
  table,
  jobId: payoutsQueue.jobId,
  phase: (p) => (p.status === "PENDING" ? "submit" : p.status === "IN_TRANSIT" ? "poll" : "final"),
  order: (p) => ({ id: p.id, amount: p.amount, accountNumber: p.account_number, direction: "OUT" }),
  async settle(trx, p, outcome) {
    await lockAgreementOutbox(trx, p.agreement_id);
    const row = await settlePayout(trx, p.id, outcome);
    if (!row) return false;
    const payload: PayoutSettled = {
      payoutId: row.id,
      kind: row.kind,
      agreementId: row.agreement_id,
      amount: row.amount,
      status: row.status === "PAID" ? "PAID" : "FAILED",
      settledAt: outcome.settledAt.toISOString(),
      failureCode: row.failure_code,
      failureMessage: row.failure_message,
    };
    await enqueue(trx, payoutSettled, { aggregateId: row.agreement_id, payload });
    // The public event: the same facts, without the destination account.
    await emitEvent(trx, payoutSettledEvent, {
      subject: row.agreement_id,
      data: { ...payload, failureCode: row.failure_code ?? null, failureMessage: row.failure_message ?? null },
    });
    return true;
  },
  crashPoint: "after-bank-settled",
};
