import type { AgreementStatusChanged, PayoutRequested, payoutRequested } from "@loans/contracts";
import { AppError } from "@loans/shared";
import type { AnswerOf } from "@loans/shared/outbox/topic";
import type { WireMessage } from "@loans/shared/outbox/types";
import type { Transaction } from "kysely";
import type { AgreementStatus, PeDB } from "../db.ts";
import { peError } from "../errors.ts";
import { UUID } from "../http/inputs.ts";
import type { BusinessClock } from "../lifecycle/business-date.ts";
import { lockedNow } from "../lifecycle/status.repository.ts";
import { sendStatusChanged } from "../lifecycle/status-changed.ts";
import { recordMoves } from "../lifecycle/status-moves.ts";
import { transition } from "../lifecycle/transitions.ts";
import { reanchorSchedule } from "../schedules/schedules.repository.ts";
import { findLoan } from "../servicing-store/loan.repository.ts";
import { refreshLoan } from "../servicing-store/refresh.ts";
import { applyRefundResult } from "../servicing-store/refund-result.ts";

export interface PayoutResult {
  payoutId: string;
  kind: "DISBURSEMENT" | "REFUND";
  status: "PAID" | "FAILED";
  settledAt: string;
  failureCode?: string | null | undefined;
  failureMessage?: string | null | undefined;
}

/** The agreement's row as a payout result needs it, locked until the transaction ends. */
async function lockForPayoutResult(trx: Transaction<PeDB>, id: string) {
  return trx
    .selectFrom("agreements")
    .select(["status", "disbursement_id", "term_months"])
    .where("id", "=", id)
    .forUpdate()
    .executeTakeFirst();
}

/**
 * PG's final word on a payout, from `payout.settled` or from its answer to `payout.requested`: in one
 * transaction under the row lock, DISBURSING → ACTIVE (disbursedOn = the business date in effect at the
 * bank's settlement instant (LIFECYCLE §8.1), the schedule's dates re-anchored on it, and the daily job
 * counted as run up to that day) or → DISBURSEMENT_FAILED (failure code kept), with the
 * `agreement.status-changed` message. A repeat answers the status and writes nothing. A REFUND's result is
 * always ok (nothing of it is kept here yet). A payout this agreement never ordered is refused.
 */
export async function applyPayoutResult(
  trx: Transaction<PeDB>,
  agreementId: string,
  r: PayoutResult,
  clock: BusinessClock,
): Promise<AgreementStatus> {
  const row = await lockForPayoutResult(trx, agreementId);
  if (!row) throw peError("UNKNOWN_AGREEMENT", `agreement ${agreementId} not found`);
  if (r.kind === "REFUND") {
    await applyRefundResult(trx, agreementId, r);
    return row.status;
  }
  if (row.disbursement_id !== r.payoutId)
    throw peError("UNKNOWN_PAYOUT", `agreement ${agreementId} did not order payout ${r.payoutId}`);
  const event = r.status === "PAID" ? "PAYOUT_PAID" : "PAYOUT_FAILED";
  const t = transition(row.status, event);
  if (t.kind === "same") return row.status;
  if (t.kind === "conflict")
    throw peError("CONTRADICTION", `agreement ${agreementId} is ${row.status}; payout ${r.status} contradicts it`);
  const at = await lockedNow(trx);
  const settledAt = new Date(r.settledAt);
  const on = await clock.at(trx, settledAt);
  const failure =
    r.status === "FAILED" ? `the bank refused the disbursement: ${r.failureCode ?? "could_not_process"}` : undefined;
  // The move first: its event then precedes the first schedule version's, which activate writes.
  await recordMoves(trx, [{ agreementId, from: row.status, to: t.to, event, at, message: failure }]);
  if (t.to === "ACTIVE") await activate(trx, agreementId, { at, settledAt, on, termMonths: row.term_months });
  else await recordPayoutFailure(trx, agreementId, { at, settledAt, r });
  await sendStatusChanged(trx, {
    agreementId,
    status: t.to as AgreementStatusChanged["status"],
    on,
    at: at.toISOString(),
  });
  return t.to;
}

/** DISBURSING → ACTIVE: the disbursement paid on `on`, the schedule re-dated from it, the loan's first materialisation. */
async function activate(
  trx: Transaction<PeDB>,
  agreementId: string,
  paid: { at: Date; settledAt: Date; on: string; termMonths: number },
): Promise<void> {
  await trx
    .updateTable("agreements")
    .set({
      status: "ACTIVE",
      updated_at: paid.at,
      disbursement_status: "PAID",
      disbursement_settled_at: paid.settledAt,
      disbursed_on: paid.on,
      schedule_anchored_on: paid.on,
      // Interest runs from that day; the daily job's first day is the one after.
      last_cob_date: paid.on,
    })
    .where("id", "=", agreementId)
    .execute();
  await reanchorSchedule(trx, agreementId, paid.on, paid.termMonths);
  // The loan's first materialisation: schedule version 1 kept, and the disbursement in the ledger.
  const loan = await findLoan(trx, agreementId);
  await refreshLoan(trx, loan!, paid.on, { first: true });
}

/** DISBURSING → DISBURSEMENT_FAILED, with the bank's failure code kept. */
async function recordPayoutFailure(
  trx: Transaction<PeDB>,
  agreementId: string,
  failed: { at: Date; settledAt: Date; r: PayoutResult },
): Promise<void> {
  await trx
    .updateTable("agreements")
    .set({
      status: "DISBURSEMENT_FAILED",
      updated_at: failed.at,
      disbursement_status: "FAILED",
      disbursement_settled_at: failed.settledAt,
      disbursement_failure_code: failed.r.failureCode ?? "could_not_process",
      disbursement_failure_message: failed.r.failureMessage ?? null,
    })
    .where("id", "=", agreementId)
    .execute();
}

/**
 * The relay's `onAnswer` for `payout.requested`: PG answers the payout's current status. A final one is
 * applied as `payout.settled` would be (PG's own message may have been lost, or not sent yet); PENDING and
 * IN_TRANSIT change nothing. A malformed answer throws, so the row is retried and the problem shows on it.
 */
export async function applyPayoutAnswer(
  trx: Transaction<PeDB>,
  message: WireMessage<PayoutRequested>,
  answer: AnswerOf<typeof payoutRequested>,
  clock: BusinessClock,
): Promise<void> {
  if (!UUID.test(message.aggregateId))
    throw new AppError("VALIDATION_FAILED", `payout.requested message ${message.id} has no agreement id`);
  if (answer.status === "PENDING" || answer.status === "IN_TRANSIT") return;
  if (!answer.settledAt)
    throw new AppError(
      "VALIDATION_FAILED",
      `answer to payout.requested is invalid: a ${answer.status} payout needs settledAt`,
      [{ path: "settledAt", message: "is required for a final status" }],
    );
  const p = message.payload;
  await applyPayoutResult(
    trx,
    message.aggregateId,
    {
      payoutId: p.payoutId,
      kind: p.kind,
      status: answer.status,
      settledAt: answer.settledAt,
      failureCode: answer.failureCode,
    },
    clock,
  );
}
