import type { Answer } from "@loans/shared/http/idempotency";
import type { Transaction } from "kysely";
import type { PgBoss } from "pg-boss";
import type { GatewayDB } from "../db.ts";
import { gatewayError } from "../errors.ts";
import { paymentsQueue } from "./payments.queue.ts";
import { insertPayment, isPayable } from "./payments.repository.ts";
import type { CreatePayment } from "./payments.schemas.ts";
import { toPaymentView } from "./payments.views.ts";

/**
 * A client's payment, in the request's transaction: refused AGREEMENT_NOT_PAYABLE (nothing written, the
 * Idempotency-Key left free) unless PG has paid the agreement out and PE has not closed it; else
 * PROCESSING with its bank job. The answer is 202: the bank has not collected it yet.
 */
export async function createPayment(
  trx: Transaction<GatewayDB>,
  boss: PgBoss,
  input: CreatePayment,
  id: string,
): Promise<Answer> {
  const agreementId = input.agreementId.toLowerCase();
  if (!(await isPayable(trx, agreementId))) {
    throw gatewayError("AGREEMENT_NOT_PAYABLE", `agreement ${agreementId} takes no payments`, [
      { path: "agreementId", message: "not disbursed by this gateway, or closed" },
    ]);
  }
  const row = await insertPayment(trx, {
    id,
    agreement_id: agreementId,
    amount: input.amount,
    purpose: input.purpose,
    payer_account: input.payer.accountNumber,
  });
  await paymentsQueue.enqueue(boss, trx, row.id);
  return { status: 202, body: toPaymentView(row), headers: { Location: `/payments/${row.id}` }, resourceId: row.id };
}
