import { AppError, parseInput } from "@loans/shared";
import type { WireMessage } from "@loans/shared/outbox";
import type { Transaction } from "kysely";
import { type DecisionRecord, lockAgreementStatus, recordStatus, setStatus } from "../agreements/status.repository.ts";
import { type AgreementEvent, transition } from "../agreements/transitions.ts";
import type { AgreementStatus, PeDB } from "../db.ts";
import { UUID } from "../http/inputs.ts";
import { type AdvanceItem, advanceMany } from "./advance-many.ts";
import { applicationAnswer } from "./decisions.schemas.ts";

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
  await setStatus(trx, agreementId, t.to, decision);
  await recordStatus(trx, agreementId, t.to);
  return t.to;
}

/** A decision from Origination, as /internal/decisions receives it or as its answer to agreement.created. */
export function applyDecision(trx: Transaction<PeDB>, agreementId: string, d: DecisionRecord) {
  return advance(trx, agreementId, d.result, d);
}

/**
 * The relay's `onAnswer` for `agreement.created`: what Origination said it did with the application.
 * IN_PROGRESS moves a NEW agreement on; a decision goes the way /internal/decisions takes; WITHDRAWN
 * changes nothing here (PE's own withdrawal is what made it so). A malformed answer or a contradiction
 * throws, so the message is not marked delivered and the problem shows on the outbox row.
 */
export async function applyApplicationAnswer(
  trx: Transaction<PeDB>,
  message: WireMessage,
  result: unknown,
): Promise<void> {
  if (!UUID.test(message.aggregateId)) {
    throw new AppError("VALIDATION_FAILED", `agreement.created message ${message.id} has no agreement id`);
  }
  const answer = parseInput(applicationAnswer, result, "answer to agreement.created");
  if (answer.status === "WITHDRAWN") return;
  if (answer.status === "IN_PROGRESS") {
    await advance(trx, message.aggregateId, "ACCEPTED");
    return;
  }
  // The schema guarantees a decision whose result matches the status.
  await applyDecision(trx, message.aggregateId, answer.decision!);
}

/**
 * applyApplicationAnswer for a batch's answers at once (the relay's `onAnswers`): one lock, one update and
 * one history insert for all. Any answer that would throw makes the whole call throw, and the relay then
 * applies them one by one, so that answer alone is retried with its error.
 */
export async function applyApplicationAnswers(
  trx: Transaction<PeDB>,
  answers: ReadonlyArray<{ message: WireMessage; result: unknown }>,
): Promise<void> {
  const items: AdvanceItem[] = [];
  for (const { message, result } of answers) {
    if (!UUID.test(message.aggregateId)) throw new Error(`agreement.created message ${message.id} has no agreement id`);
    const answer = applicationAnswer.safeParse(result);
    if (!answer.success) throw new Error(`answer to agreement.created ${message.id} is malformed`);
    const { status, decision } = answer.data;
    if (status === "WITHDRAWN") continue;
    if (status === "IN_PROGRESS") items.push({ agreementId: message.aggregateId, event: "ACCEPTED" });
    else items.push({ agreementId: message.aggregateId, event: decision!.result, decision });
  }
  const refused = (await advanceMany(trx, items)).find((a) => "refused" in a);
  if (refused) throw refused.refused;
}
