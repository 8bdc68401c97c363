import { AppError } from "@loans/shared";
import type { Transaction } from "kysely";
import type { AgreementStatus, PeDB } from "../db.ts";
import {
  type DecisionRecord,
  lockAgreementStatuses,
  lockedNow,
  type StatusChange,
  setStatuses,
} from "./status.repository.ts";
import { recordMoves, type StatusMove } from "./status-moves.ts";
import { type AgreementEvent, transition } from "./transitions.ts";

export interface AdvanceItem {
  agreementId: string;
  event: AgreementEvent;
  decision?: DecisionRecord | null;
}

/** An item's status afterwards, or why it was refused (what `advance` would have thrown). */
export type Advanced = { status: AgreementStatus } | { refused: AppError };

/**
 * `advance` (decisions.service.ts) for many items in one go, in three statements however many there are:
 * every agreement locked (in id order), the transitions decided here from the same table, then the
 * moves written. Items are taken in order, so a second item for one agreement sees the first one's move.
 * Answers per item what `advance` would answer or throw, so a batch can fall back to it item by item.
 */
export async function advanceMany(trx: Transaction<PeDB>, items: readonly AdvanceItem[]): Promise<Advanced[]> {
  const statuses = await lockAgreementStatuses(trx, [...new Set(items.map((i) => i.agreementId))]);
  const changes = new Map<string, StatusChange>();
  const entered: Array<Omit<StatusMove, "at">> = [];
  const answers = items.map((item): Advanced => {
    const { agreementId: id, event } = item;
    const current = statuses.get(id);
    if (!current) return { refused: new AppError("NOT_FOUND", `agreement ${id} not found`) };
    const t = transition(current, event);
    if (t.kind === "same") return { status: current };
    if (t.kind === "conflict") {
      return { refused: new AppError("CONFLICT", `agreement ${id} is ${current}; ${event} contradicts it`) };
    }
    const change = { id, status: t.to, decision: item.decision ?? changes.get(id)?.decision ?? null };
    statuses.set(id, t.to);
    changes.set(id, change);
    entered.push({ agreementId: id, from: current, to: t.to, event, decisionReasons: item.decision?.reasons });
    return { status: t.to };
  });
  if (entered.length === 0) return answers;
  const at = await lockedNow(trx);
  await setStatuses(trx, [...changes.values()]);
  await recordMoves(
    trx,
    entered.map((m) => ({ ...m, at })),
  );
  return answers;
}
