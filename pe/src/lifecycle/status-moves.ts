import { type AgreementStatusChangedData, agreementStatusChangedEvent } from "@loans/contracts/events/index";
import type { Transaction } from "kysely";
import type { AgreementStatus, PeDB } from "../db.ts";
import { emitPeEvent } from "./events.ts";
import { recordStatus, recordStatuses } from "./status.repository.ts";
import type { AgreementEvent } from "./transitions.ts";

/** One status move as it happened: what moved it, when, and the words a consumer may want. */
export interface StatusMove {
  agreementId: string;
  from: AgreementStatus;
  to: AgreementStatus;
  event: AgreementEvent;
  at: Date;
  /** Words beyond the lifecycle event's own (a payout's failure). */
  message?: string;
  /** A decision's failing rules. */
  decisionReasons?: Array<{ code: string; message: string }>;
}

const WORDS: Record<AgreementEvent, string> = {
  ACCEPTED: "Origination took the application and is scoring it",
  APPROVED: "Origination approved the application",
  REJECTED: "Origination rejected the application",
  WITHDRAW: "the client withdrew the application",
  DISBURSE: "the client asked for the money",
  PAYOUT_PAID: "the disbursement was paid",
  PAYOUT_FAILED: "the bank refused the disbursement",
  PAID_OFF: "every obligation was met",
};

function eventData(m: StatusMove): AgreementStatusChangedData {
  return {
    agreementId: m.agreementId,
    from: m.from,
    to: m.to,
    reason: { code: m.event, message: m.message ?? WORDS[m.event] },
    ...(m.decisionReasons && m.decisionReasons.length > 0 && { decisionReasons: m.decisionReasons }),
    at: m.at.toISOString(),
  };
}

/**
 * Records status moves: each one's history row and its one `agreement.status-changed` event (EVENTS §2),
 * in the caller's transaction, which holds the agreements' row locks. Every move in PE goes through here
 * (the history's writers are private to this floor), so none can be made without its event.
 */
export async function recordMoves(trx: Transaction<PeDB>, moves: readonly StatusMove[]): Promise<void> {
  if (moves.length === 0) return;
  if (moves.length === 1) await recordStatus(trx, moves[0]!.agreementId, moves[0]!.to, moves[0]!.at);
  else
    await recordStatuses(
      trx,
      moves.map((m) => ({ id: m.agreementId, status: m.to, at: m.at })),
    );
  await emitPeEvent(
    trx,
    agreementStatusChangedEvent,
    moves.map((m) => ({ subject: m.agreementId, data: eventData(m) })),
  );
}
