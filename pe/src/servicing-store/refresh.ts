import { sql, type Transaction } from "kysely";
import { utcDate } from "../calendar.ts";
import type { PeDB } from "../db.ts";
import { requestPayout } from "../lifecycle/payouts.ts";
import { lockedNow } from "../lifecycle/status.repository.ts";
import { sendStatusChanged } from "../lifecycle/status-changed.ts";
import { recordMoves } from "../lifecycle/status-moves.ts";
import { transition } from "../lifecycle/transitions.ts";
import { servicedPsk, writePsk } from "../psk/psk.repository.ts";
import { computeLoanState, type LoanState } from "../servicing/index.ts";
import { ledgerFacts } from "../servicing/ledger-facts.ts";
import { syncLedger } from "./ledger.repository.ts";
import { corePayments, type Loan, listPayments, listRefunds, type StoredPayment } from "./loan.repository.ts";
import { materialise } from "./materialise.ts";
import { refundPayoutId } from "./refund-id.ts";

export interface Refreshed {
  state: LoanState;
  /** Periods that were not OVERDUE in the stored rows and are now. */
  overdueMarked: number;
  /** The loan closed in this transaction. */
  closed: boolean;
}

/**
 * Recomputes a serviced loan as of `asOf` from its terms and value-dated payments (the pure core) and
 * writes the result in the caller's transaction, which holds the agreement's row lock: the stored rows,
 * the ledger's difference, and, when the loan has just been paid off, CLOSED with its message and one
 * refund per payment that had money left over (LIFECYCLE §2.6), and the PSK of a new schedule version
 * (EXCEPTIONS §3.11). The caller has checked it is ACTIVE.
 */
export async function refreshLoan(
  trx: Transaction<PeDB>,
  loan: Loan,
  asOf: string,
  opts: { first?: boolean } = {},
): Promise<Refreshed> {
  if (!loan.terms || !loan.disbursedOn || !loan.disbursementId)
    throw new Error(`agreement ${loan.id} has no disbursement to service`);
  const { payments, state } = await loanState(trx, loan, asOf);
  const overdueMarked = await materialise(trx, loan.id, state, opts.first ? null : loan.scheduleVersion);
  const closed = state.closed && loan.status === "ACTIVE";
  if (closed) await closeLoan(trx, loan, state, payments);
  await postLedger(trx, loan, state, payments);
  // In the transaction that stores the schedule version it is computed on (§3.11).
  const psk = servicedPsk({ ...loan, disbursedOn: loan.disbursedOn }, state, opts.first === true);
  if (psk) await writePsk(trx, loan.id, psk);
  await trx
    .updateTable("agreements")
    .set({
      schedule_version: state.scheduleVersion,
      last_cob_date: sql<string>`greatest(last_cob_date, ${asOf}::date)`,
    })
    .where("id", "=", loan.id)
    .execute();
  return { state, overdueMarked, closed };
}

/** Appends to the ledger what the state says and it does not have yet (see syncLedger). */
export async function postLedger(trx: Transaction<PeDB>, loan: Loan, state: LoanState, payments: StoredPayment[]) {
  const refunds = await listRefunds(trx, loan.id);
  const facts = ledgerFacts({
    principal: loan.principal,
    disbursementAmount: loan.disbursementAmount,
    originationFee: loan.originationFee,
    disbursedOn: loan.disbursedOn!,
    disbursementId: loan.disbursementId!,
    state,
    payments,
    refunds: refunds.map((r) => ({
      paymentId: r.payment_id,
      payoutId: r.payout_id,
      amount: r.amount,
      status: r.status,
      settledOn: r.settled_at && utcDate(r.settled_at),
    })),
  });
  await syncLedger(trx, loan.id, facts, state.asOf);
}

/** The state a loan's stored payments give on `asOf`: for a closed loan, any date from its closing on. */
export async function loanState(trx: Transaction<PeDB>, loan: Loan, asOf: string) {
  const payments = await listPayments(trx, loan.id);
  return { payments, state: computeLoanState(loan.terms!, corePayments(payments), asOf) };
}

async function closeLoan(trx: Transaction<PeDB>, loan: Loan, state: LoanState, payments: StoredPayment[]) {
  const t = transition(loan.status, "PAID_OFF");
  if (t.kind !== "move") return;
  const at = await lockedNow(trx);
  await trx
    .updateTable("agreements")
    .set({ status: t.to, closed_on: state.closedOn, updated_at: at })
    .where("id", "=", loan.id)
    .execute();
  await recordMoves(trx, [{ agreementId: loan.id, from: loan.status, to: t.to, event: "PAID_OFF", at }]);
  await sendStatusChanged(trx, { agreementId: loan.id, status: "CLOSED", on: state.closedOn!, at: at.toISOString() });
  const byId = new Map(payments.map((p) => [p.id, p]));
  for (const p of state.payments) {
    if (p.total.refunded === "0.00") continue;
    await orderRefund(trx, loan.id, byId.get(p.id)!, p.total.refunded);
  }
}

/**
 * Gives `amount` of a payment back to its payer: the refund row and its `payout.requested` (kind REFUND)
 * in the caller's transaction. The payout id is derived from the payment id, so a payment is refunded
 * once whatever happens (§2.6).
 */
export async function orderRefund(trx: Transaction<PeDB>, agreementId: string, p: StoredPayment, amount: string) {
  const payoutId = refundPayoutId(p.id);
  const inserted = await trx
    .insertInto("refunds")
    .values({ payment_id: p.id, agreement_id: agreementId, payout_id: payoutId, amount, account: p.payerAccount })
    .onConflict((oc) => oc.column("payment_id").doNothing())
    .returning("payment_id")
    .executeTakeFirst();
  if (!inserted) return;
  await requestPayout(trx, {
    payoutId,
    kind: "REFUND",
    agreementId,
    amount,
    currency: "RUB",
    destination: { accountNumber: p.payerAccount },
    sourcePaymentId: p.id,
  });
}
