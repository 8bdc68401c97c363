import type { AgreementCreated, agreementCreated } from "@loans/contracts";
import { AppError } from "@loans/shared";
import type { WireMessage } from "@loans/shared/outbox";
import type { AnswerOf } from "@loans/shared/outbox/topic";
import type { Transaction } from "kysely";
import type { AgreementStatus, PeDB } from "../db.ts";
import { UUID } from "../http/inputs.ts";
import { type AdvanceItem, advanceMany } from "../lifecycle/advance-many.ts";
import { type DecisionRecord, lockAgreementStatus, lockedNow, setStatus } from "../lifecycle/status.repository.ts";
import { recordMoves } from "../lifecycle/status-moves.ts";
import { type AgreementEvent, transition } from "../lifecycle/transitions.ts";

/** Origination's answer to `agreement.created`, as the contract reads it. */
type ApplicationAnswer = AnswerOf<typeof agreementCreated>;

/**
 * Applies one event to an agreement under its row lock and answers the status it is in afterwards.
 * A repeat or a late message changes nothing; a contradiction is refused with CONFLICT (the batch
 * endpoint answers `rejected` for that item); an unknown agreement with NOT_FOUND.
 */
export async function advance(
  trx: Transaction<PeDB>,
  agreementId: string,
  event: AgreementEvent,
  decision: DecisionRecord | null = null,
): Promise<AgreementStatus> {
  const row = await lockAgreementStatus(trx, agreementId);
  if (!row) throw new AppError("NOT_FOUND", `agreement ${agreementId} not found`);
  const t = transition(row.status, event);
  if (t.kind === "same") return row.status;
  if (t.kind === "conflict") {
    throw new AppError("CONFLICT", `agreement ${agreementId} is ${row.status}; ${event} contradicts it`);
  }
  const at = await lockedNow(trx);
  await setStatus(trx, agreementId, t.to, decision);
  await recordMoves(trx, [{ agreementId, from: row.status, to: t.to, event, at, decisionReasons: decision?.reasons }]);
  return t.to;
}

/**
 * What Origination's answer to `agreement.created` asks of the agreement: IN_PROGRESS moves a NEW agreement
 * on; a decision goes the way /internal/decisions takes; WITHDRAWN asks nothing here (PE's own withdrawal is
 * what made it so). A malformed answer has thrown VALIDATION_FAILED already (the route reads it by the contract).
 */
function answerItem(message: WireMessage<AgreementCreated>, answer: ApplicationAnswer): AdvanceItem | null {
  if (!UUID.test(message.aggregateId)) {
    throw new AppError("VALIDATION_FAILED", `agreement.created message ${message.id} has no agreement id`);
  }
  const { status, decision } = answer;
  if (status === "WITHDRAWN") return null;
  if (status === "IN_PROGRESS") return { agreementId: message.aggregateId, event: "ACCEPTED" };
  // The schema guarantees a decision whose result matches the status.
  return { agreementId: message.aggregateId, event: decision!.result, decision };
}

/**
 * The relay's `onAnswer` for `agreement.created`. A malformed answer or a contradiction throws, so the
 * message is not marked delivered and the problem shows on the outbox row.
 */
export async function applyApplicationAnswer(
  trx: Transaction<PeDB>,
  message: WireMessage<AgreementCreated>,
  answer: ApplicationAnswer,
): Promise<void> {
  const item = answerItem(message, answer);
  if (item) await advance(trx, item.agreementId, item.event, item.decision ?? null);
}

/**
 * applyApplicationAnswer for a batch's answers at once (the relay's `onAnswers`): one lock, one update and
 * one history insert for all. Any answer that would throw makes the whole call throw, and the relay then
 * applies them one by one, so that answer alone is retried with its error.
 */
export async function applyApplicationAnswers(
  trx: Transaction<PeDB>,
  answers: ReadonlyArray<{ message: WireMessage<AgreementCreated>; answer: ApplicationAnswer }>,
): Promise<void> {
  const items = answers.map((a) => answerItem(a.message, a.answer)).filter((i) => i !== null);
  const refused = (await advanceMany(trx, items)).find((a) => "refused" in a);
  if (refused) throw refused.refused;
}
