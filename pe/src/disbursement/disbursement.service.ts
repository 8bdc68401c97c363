import { randomUUID } from "node:crypto";
import { AppError, parseInput } from "@loans/shared";
import { toMoney } from "@loans/shared/money";
import { enqueue } from "@loans/shared/outbox/enqueue";
import type { WireMessage } from "@loans/shared/outbox/types";
import type { Transaction } from "kysely";
import { lockedNow, recordStatus } from "../lifecycle/status.repository.ts";
import { transition } from "../lifecycle/transitions.ts";
import type { BusinessClock } from "../lifecycle/business-date.ts";
import type { AgreementStatus, PeDB } from "../db.ts";
import { peError } from "../errors.ts";
import { UUID } from "../http/inputs.ts";
import { reanchorSchedule } from "../schedules/schedules.repository.ts";
import { findLoan } from "../servicing-store/loan.repository.ts";
import { refreshLoan } from "../servicing-store/refresh.ts";
import { applyRefundResult } from "../servicing-store/refund-result.ts";
import {
  PAYOUT_REQUESTED_TOPIC,
  type PayoutRequestedPayload,
  payoutAnswer,
  STATUS_CHANGED_TOPIC,
  type StatusChangedPayload,
} from "./disbursement.schemas.ts";

/** The agreement's row as the disbursement needs it, locked until the transaction ends. */
async function lockForDisbursement(trx: Transaction<PeDB>, id: string) {
  return trx
    .selectFrom("agreements")
    .select(["status", "disbursement_amount", "disbursement_id", "disbursement_account", "term_months"])
    .where("id", "=", id)
    .forUpdate()
    .executeTakeFirst();
}

/**
 * The client asks for the money (LIFECYCLE §2.2 step 1): under the agreement's row lock, APPROVED →
 * DISBURSING with a new payout id and the account, and the `payout.requested` message to PG, all in the
 * caller's transaction. A repeat with the account already ordered changes nothing (answers as the first
 * time); another account, or any status but APPROVED before, is 409 INVALID_TRANSITION. A withdrawal
 * racing it takes the same lock: whichever comes first wins, the other gets 409.
 */
export async function disburseAgreement(
  trx: Transaction<PeDB>,
  id: string,
  accountNumber: string,
): Promise<{ moved: boolean }> {
  const row = await lockForDisbursement(trx, id);
  if (!row) throw new AppError("NOT_FOUND", "agreement not found");
  const t = transition(row.status, "DISBURSE");
  const refuse = (why: string) =>
    peError("INVALID_TRANSITION", why, [{ path: "status", message: `is ${row.status}`, status: row.status }]);
  if (t.kind === "conflict") throw refuse(`agreement is ${row.status}; only an APPROVED agreement can be disbursed`);
  if (t.kind === "same") {
    if (row.disbursement_account !== accountNumber)
      throw peError("INVALID_TRANSITION", "the disbursement was already ordered to another account", [
        { path: "destination.accountNumber", message: "differs from the account already ordered" },
      ]);
    return { moved: false };
  }
  const at = await lockedNow(trx);
  const payoutId = randomUUID();
  await trx
    .updateTable("agreements")
    .set({
      status: t.to,
      updated_at: at,
      disbursement_id: payoutId,
      disbursement_account: accountNumber,
      disbursement_status: "REQUESTED",
      disbursement_requested_at: at,
    })
    .where("id", "=", id)
    .execute();
  await recordStatus(trx, id, t.to, at);
  const payload: PayoutRequestedPayload = {
    payoutId,
    kind: "DISBURSEMENT",
    agreementId: id,
    // The fee stays inside the principal: the client receives the disbursement amount.
    amount: toMoney(row.disbursement_amount),
    currency: "RUB",
    destination: { accountNumber },
  };
  await enqueue(trx, { topic: PAYOUT_REQUESTED_TOPIC, aggregateId: id, payload: { ...payload } });
  return { moved: true };
}

export interface PayoutResult {
  payoutId: string;
  kind: "DISBURSEMENT" | "REFUND";
  status: "PAID" | "FAILED";
  settledAt: string;
  failureCode?: string | null | undefined;
  failureMessage?: string | null | undefined;
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
  const row = await lockForDisbursement(trx, agreementId);
  if (!row) throw peError("UNKNOWN_AGREEMENT", `agreement ${agreementId} not found`);
  if (r.kind === "REFUND") {
    await applyRefundResult(trx, agreementId, r);
    return row.status;
  }
  if (row.disbursement_id !== r.payoutId.toLowerCase())
    throw peError("UNKNOWN_PAYOUT", `agreement ${agreementId} did not order payout ${r.payoutId}`);
  const t = transition(row.status, r.status === "PAID" ? "PAYOUT_PAID" : "PAYOUT_FAILED");
  if (t.kind === "same") return row.status;
  if (t.kind === "conflict")
    throw peError("CONTRADICTION", `agreement ${agreementId} is ${row.status}; payout ${r.status} contradicts it`);
  const at = await lockedNow(trx);
  const settledAt = new Date(r.settledAt);
  const on = await clock.at(trx, settledAt);
  if (t.to === "ACTIVE") {
    await trx
      .updateTable("agreements")
      .set({
        status: t.to,
        updated_at: at,
        disbursement_status: "PAID",
        disbursement_settled_at: settledAt,
        disbursed_on: on,
        schedule_anchored_on: on,
        // Interest runs from that day; the daily job's first day is the one after.
        last_cob_date: on,
      })
      .where("id", "=", agreementId)
      .execute();
    await reanchorSchedule(trx, agreementId, on, row.term_months);
    // The loan's first materialisation: schedule version 1 kept, and the disbursement in the ledger.
    const loan = await findLoan(trx, agreementId);
    await refreshLoan(trx, loan!, on, { first: true });
  } else {
    await trx
      .updateTable("agreements")
      .set({
        status: t.to,
        updated_at: at,
        disbursement_status: "FAILED",
        disbursement_settled_at: settledAt,
        disbursement_failure_code: r.failureCode ?? "could_not_process",
        disbursement_failure_message: r.failureMessage ?? null,
      })
      .where("id", "=", agreementId)
      .execute();
  }
  await recordStatus(trx, agreementId, t.to, at);
  const payload: StatusChangedPayload = {
    agreementId,
    status: t.to as StatusChangedPayload["status"],
    on,
    at: at.toISOString(),
  };
  await enqueue(trx, { topic: STATUS_CHANGED_TOPIC, aggregateId: agreementId, payload: { ...payload } });
  return t.to;
}

/**
 * The relay's `onAnswer` for `payout.requested`: PG answers the payout's current status. A final one is
 * applied as `payout.settled` would be (PG's own message may have been lost, or not sent yet); PENDING and
 * IN_TRANSIT change nothing. A malformed answer throws, so the row is retried and the problem shows on it.
 */
export async function applyPayoutAnswer(
  trx: Transaction<PeDB>,
  message: WireMessage,
  result: unknown,
  clock: BusinessClock,
): Promise<void> {
  if (!UUID.test(message.aggregateId))
    throw new AppError("VALIDATION_FAILED", `payout.requested message ${message.id} has no agreement id`);
  const answer = parseInput(payoutAnswer, result, "answer to payout.requested");
  // PENDING and IN_TRANSIT parse without an outcome (their nulls are dropped).
  if (!("settledAt" in answer)) return;
  const p = message.payload as PayoutRequestedPayload;
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
