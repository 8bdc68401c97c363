import { agreementStatusChanged } from "@loans/contracts";
import type { ReceivedOf } from "@loans/shared/outbox";
import { type Applied, setBasedHandler, type TopicHandler, type WireMessage } from "@loans/shared/outbox";
import { sql, type Transaction } from "kysely";
import type { ApplicationStatus, OriginationDB } from "../db.ts";
import { originationError } from "../errors.ts";
import { lockAgreements } from "../withdrawals/withdrawals.repository.ts";
import { type LoanStatus, loanTransition } from "./transitions.ts";

/**
 * `agreement.status-changed` from PE: the application follows its loan, forward only (transitions.ts),
 * and the answer is its status now. PE sends it only after agreement.created, in one ordered stream per
 * agreement, so an unknown application is refused (UNKNOWN_AGREEMENT) rather than remembered. A batch's
 * messages are applied together (setBasedHandler): the agreements' locks, one read of their statuses,
 * one update of those that move.
 */
type StatusChanged = ReceivedOf<typeof agreementStatusChanged>;

export const statusChangedHandler: TopicHandler<OriginationDB, StatusChanged> = setBasedHandler(
  agreementStatusChanged,
  receiveStatusChanges,
);

type Answer = Applied<{ status: ApplicationStatus }>;

async function receiveStatusChanges(
  trx: Transaction<OriginationDB>,
  messages: WireMessage<StatusChanged>[],
): Promise<Answer[]> {
  const ids = messages.map((m) => m.payload.agreementId);
  await lockAgreements(trx, ids);
  const current = new Map((await statusesOf(trx, [...new Set(ids)])).map((r) => [r.agreement_id, r.status]));
  // What each application becomes, message after message: two of one agreement in a batch (which PE's
  // relay does not send) apply one after the other, as they would one at a time.
  const moves = new Map<string, LoanMove>();
  const answers = messages.map(({ payload: p }, i): Answer => {
    const id = ids[i]!;
    const status = current.get(id);
    if (!status) return originationError("UNKNOWN_AGREEMENT", `no application for agreement ${id}`);
    const t = loanTransition(status, p.status);
    if (t.kind === "contradiction")
      return originationError("CONTRADICTION", `application ${id} is ${status}; ${p.status} contradicts it`);
    if (t.kind === "same") return { outcome: "ok", result: { status } };
    current.set(id, t.to);
    const move = moves.get(id) ?? { agreementId: id, status: t.to, activeOn: null, closedOn: null };
    move.status = t.to;
    if (t.to === "ACTIVE") move.activeOn = p.on;
    if (t.to === "CLOSED") move.closedOn = p.on;
    moves.set(id, move);
    return { outcome: "ok", result: { status: t.to } };
  });
  await moveApplications(trx, [...moves.values()]);
  return answers;
}

interface LoanMove {
  agreementId: string;
  status: LoanStatus;
  /** The loan's business dates, set when it moves to ACTIVE or CLOSED; null leaves the column as it is. */
  activeOn: string | null;
  closedOn: string | null;
}

async function statusesOf(trx: Transaction<OriginationDB>, agreementIds: readonly string[]) {
  return trx
    .selectFrom("applications")
    .select(["agreement_id", "status"])
    .where(sql<boolean>`agreement_id = any(${agreementIds as string[]}::uuid[])`)
    .execute();
}

async function moveApplications(trx: Transaction<OriginationDB>, moves: readonly LoanMove[]): Promise<void> {
  if (moves.length === 0) return;
  await sql`
    update applications a
    set status = m.status, updated_at = now(),
        active_on = coalesce(m.active_on, a.active_on), closed_on = coalesce(m.closed_on, a.closed_on)
    from unnest(
      ${moves.map((m) => m.agreementId)}::uuid[],
      ${moves.map((m) => m.status)}::text[],
      ${moves.map((m) => m.activeOn)}::date[],
      ${moves.map((m) => m.closedOn)}::date[]
    ) as m(agreement_id, status, active_on, closed_on)
    -- The ids twice: the rows are found by key whatever the statistics (shared record.ts says why).
    where a.agreement_id = m.agreement_id and a.agreement_id = any(${moves.map((m) => m.agreementId)}::uuid[])`.execute(
    trx,
  );
}
